/** JSON-RPC error responses for the HTTP front's own refusals (before any MCP server sees them). */
import { type WireErrorName, WireErrors } from '../errors/registry.ts';

export function jsonRpcError(
  status: number,
  name: WireErrorName,
  message: string,
  id: string | number | null = null,
): Response {
  return Response.json(
    { jsonrpc: '2.0', id, error: { code: WireErrors[name].code, message } },
    { status, headers: { 'cache-control': 'no-store' } },
  );
}

export function plainJson(status: number, body: unknown): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}
