/** Writes a (small, fully buffered) web Response to a Node response: the lane's refusals. */
import type { ServerResponse } from 'node:http';

export async function writeWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string | number> = { 'content-length': body.length };
  for (const [name, value] of response.headers) headers[name] = value;
  res.writeHead(response.status, headers);
  res.end(body);
}
