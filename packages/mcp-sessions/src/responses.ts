/**
 * The session layer's own refusals, as JSON-RPC error bodies with the HTTP status the Streamable
 * HTTP transport specifies (404 for an unknown session, 400 for a request without one).
 */

function rpcError(status: number, code: number, message: string): Response {
  return Response.json(
    { jsonrpc: '2.0', id: null, error: { code, message } },
    { status, headers: { 'cache-control': 'no-store' } },
  );
}

/** -32001 with 404: the client must initialize a new session (spec: "Session Management"). */
export function sessionNotFound(): Response {
  return rpcError(404, -32001, 'Session not found: it is unknown or has ended; initialize a new one');
}

export function sessionIdRequired(): Response {
  return rpcError(400, -32600, 'Bad Request: Mcp-Session-Id header is required (initialize first)');
}

export function notJson(): Response {
  return rpcError(400, -32700, 'Parse error: the body is not valid JSON');
}

/** 503 with -32603 (internal error): a server-side limit, not a fault of the request. */
export function tooManySessions(): Response {
  const response = rpcError(503, -32603, 'Service Unavailable: too many open sessions; retry later');
  response.headers.set('retry-after', '5');
  return response;
}

/** -32600 with 400: a batch the session's protocol version does not allow (batch-rules.ts). */
export function invalidBatch(message: string): Response {
  return rpcError(400, -32600, message);
}

/** 503 with -32603: the shared session store (another replica's session) cannot be read now. */
export function sessionStoreUnavailable(): Response {
  const response = rpcError(
    503,
    -32603,
    'Service Unavailable: the session store cannot be reached to take up this session; retry later',
  );
  response.headers.set('retry-after', '2');
  return response;
}
