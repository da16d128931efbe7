/**
 * Taking up a session that another process opened: the client's recorded `initialize` params are
 * replayed to a fresh server through its own transport (as the client sent them, followed by
 * `notifications/initialized`), so the server knows the client's capabilities and protocol
 * version exactly as the first one did. The answers go nowhere; the client never sees them.
 */
import type { AuthInfo, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';

/** The headers the replayed messages carry: the client's own (host, origin, credentials), as JSON. */
function replayHeaders(request: Request): Headers {
  const headers = new Headers(request.headers);
  for (const name of ['mcp-session-id', 'last-event-id', 'content-length', 'mcp-protocol-version']) {
    headers.delete(name);
  }
  headers.set('content-type', 'application/json');
  headers.set('accept', 'application/json, text/event-stream');
  return headers;
}

/** Replays one recorded request to the session's copy here (its answer goes nowhere). */
export async function replayRequest(
  transport: WebStandardStreamableHTTPServerTransport,
  request: Request,
  id: string,
  message: object,
  authInfo: AuthInfo | undefined,
): Promise<void> {
  await post(transport, request, message, { sessionId: id, authInfo });
}

async function post(
  transport: WebStandardStreamableHTTPServerTransport,
  request: Request,
  message: object,
  extra: { sessionId?: string; authInfo?: AuthInfo },
): Promise<Response> {
  const headers = replayHeaders(request);
  if (extra.sessionId !== undefined) headers.set('mcp-session-id', extra.sessionId);
  const replayed = new Request(request.url, { method: 'POST', headers, body: JSON.stringify(message) });
  const response = await transport.handleRequest(replayed, { parsedBody: message, authInfo: extra.authInfo });
  // Read to the end, so the transport finishes the exchange (an SSE answer closes after it).
  await response.text();
  return response;
}

/** Replays the handshake; true when the transport now holds session `id`. */
export async function replayHandshake(
  transport: WebStandardStreamableHTTPServerTransport,
  request: Request,
  id: string,
  init: unknown,
  authInfo: AuthInfo | undefined,
): Promise<boolean> {
  const initialize = { jsonrpc: '2.0', id: 0, method: 'initialize', params: init };
  const answer = await post(transport, request, initialize, { authInfo });
  if (answer.status !== 200 || transport.sessionId !== id) return false;
  // Without MCP-Protocol-Version the transport assumes a version every server accepts.
  const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };
  const notified = await post(transport, request, initialized, { sessionId: id, authInfo });
  return notified.status === 202;
}
