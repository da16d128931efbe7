/**
 * Raw MCP over HTTP for tests that send what an SDK client never would: hand-written bodies,
 * sessions opened at a chosen 2025-era version, and answers read back as JSON-RPC messages
 * (one for a JSON answer, one per `data:` event for an event stream).
 */
import assert from 'node:assert/strict';

export interface Exchange {
  status: number;
  mediaType: string;
  messages: JsonRpcAnswer[];
}

export interface JsonRpcAnswer {
  id?: string | number | null;
  result?: { content?: unknown };
  error?: { code: number; message: string };
}

export const MODERN_ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw-test', version: '1.0.0' },
};

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Exchange> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0] ?? '';
  const text = await response.text();
  const messages =
    mediaType === 'text/event-stream'
      ? text
          .split('\n')
          .filter((line) => line.startsWith('data: ') && line.length > 6)
          .map((line) => JSON.parse(line.slice(6)) as JsonRpcAnswer)
      : text === ''
        ? []
        : [JSON.parse(text) as JsonRpcAnswer];
  return { status: response.status, mediaType, messages };
}

export function initializeRequest(version: string, id: number | string = 0) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw-test', version: '1' } },
  };
}

/**
 * A session opened at `version` (with `extraHeaders`, e.g. a credential, on every request); returns
 * the headers every later POST carries. A 2025-03-26 client sends no MCP-Protocol-Version header
 * (that header came with 2025-06-18).
 */
export async function openSession(
  url: string,
  version: string,
  extraHeaders: Record<string, string> = {},
): Promise<Record<string, string>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      ...extraHeaders,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify(initializeRequest(version)),
  });
  const answer = await response.text();
  const sessionId = response.headers.get('mcp-session-id');
  assert.ok(sessionId, `initialize opens a session: ${answer.slice(0, 200)}`);
  assert.match(answer, new RegExp(`"protocolVersion":"${version}"`), 'the requested version is negotiated');
  const headers: Record<string, string> = { ...extraHeaders, 'mcp-session-id': sessionId };
  if (version !== '2025-03-26') headers['mcp-protocol-version'] = version;
  const initialized = await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  assert.equal(initialized.status, 202);
  return headers;
}

export function toolCall(id: number, name: string, args: unknown) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } };
}

/** A 2026-07-28 tools/call with its envelope and standard headers. */
export function modernToolCall(id: number, name: string, args: unknown) {
  return {
    body: { ...toolCall(id, name, args), params: { name, arguments: args, _meta: MODERN_ENVELOPE } },
    headers: { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': name },
  };
}

/**
 * A 2026-07-28 tools/call as `key`'s client sends it, declaring `capabilities` (default: form
 * elicitation), with `params` (arguments, inputResponses, requestState) beside the name; its one
 * answer, read as `T`.
 */
export async function modernCallAs<T>(
  url: string,
  key: string,
  name: string,
  params: Record<string, unknown>,
  capabilities: Record<string, unknown> = { elicitation: { form: {} } },
): Promise<T> {
  const envelope = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': capabilities,
  };
  const exchange = await post(
    url,
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, ...params, _meta: envelope } },
    {
      authorization: `Bearer ${key}`,
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': name,
    },
  );
  return exchange.messages[0] as T;
}

/** The text of a tools/call result message; fails on an error. */
export function resultText(message: JsonRpcAnswer | undefined): string {
  assert.ok(message?.result, `expected a result, got ${JSON.stringify(message).slice(0, 300)}`);
  const content = (message.result.content ?? []) as { text?: string }[];
  return content.map((c) => c.text ?? '').join('');
}
