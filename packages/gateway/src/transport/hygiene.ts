/**
 * HTTP hygiene, as pure checks over a web Request: DNS-rebinding protection (Host and Origin),
 * body size, nesting depth and element count (json-bounds.ts), JSON and JSON-RPC shape. Each
 * returns a ready-made error Response, or undefined. Both HTTP drivers (the call lane and the
 * SDK path) read POST bodies only through `readJsonRpcBody` and `jsonRpcBodyFrom`.
 */
import {
  isJsonContentType,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  readRequestBody,
  validateHostHeader,
  validateOriginHeader,
} from '@modelcontextprotocol/server';
import { type JsonBounds, jsonBoundsViolation } from './json-bounds.ts';
import { jsonRpcError } from './responses.ts';

export interface HygieneOptions {
  allowedHosts: string[];
  allowedOrigins: string[];
  maxBodyBytes: number;
}

/**
 * Host and Origin against DNS rebinding, with the SDK's checks; a refusal is answered as the
 * SDK's own transports answer it (403, JSON-RPC -32000). Reads headers only, so every HTTP
 * driver can use it.
 */
export function checkHostAndOrigin(
  headers: { get(name: string): string | null },
  options: HygieneOptions,
): Response | undefined {
  const host = validateHostHeader(headers.get('host'), [
    ...localhostAllowedHostnames(),
    ...options.allowedHosts,
  ]);
  const checked = host.ok
    ? validateOriginHeader(headers.get('origin'), [...localhostAllowedOrigins(), ...options.allowedOrigins])
    : host;
  if (checked.ok) return undefined;
  return Response.json(
    { jsonrpc: '2.0', error: { code: -32000, message: checked.message }, id: null },
    { status: 403 },
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A JSON-RPC 2.0 request, notification or response object. */
export function isJsonRpcMessage(value: unknown): boolean {
  if (!isObject(value) || value.jsonrpc !== '2.0') return false;
  if ('method' in value) {
    if (typeof value.method !== 'string' || value.method === '') return false;
    if (
      'params' in value &&
      value.params !== undefined &&
      !isObject(value.params) &&
      !Array.isArray(value.params)
    )
      return false;
    if ('id' in value && typeof value.id !== 'string' && typeof value.id !== 'number') return false;
    return true;
  }
  return 'id' in value && ('result' in value || 'error' in value);
}

export type BodyOutcome = { ok: true; body: unknown } | { ok: false; response: Response };

/** What a POST body may be: its size in bytes, and the shape bounds of its JSON. */
export interface BodyLimits extends JsonBounds {
  maxBytes: number;
}

/** The body limits of the configured `server` section. */
export function bodyLimitsOf(server: {
  maxBodyBytes: number;
  maxJsonDepth: number;
  maxJsonElements: number;
}): BodyLimits {
  return {
    maxBytes: server.maxBodyBytes,
    maxDepth: server.maxJsonDepth,
    maxElements: server.maxJsonElements,
  };
}

/**
 * Reads and checks a POST body: 415 wrong media type, 413 too large, -32600 too deep or too many
 * elements, -32700 not JSON, -32600 not JSON-RPC.
 */
export async function readJsonRpcBody(request: Request, limits: BodyLimits): Promise<BodyOutcome> {
  if (!isJsonContentType(request.headers.get('content-type'))) {
    return {
      ok: false,
      response: jsonRpcError(
        415,
        'InvalidRequest',
        'Unsupported Media Type: Content-Type must be application/json',
      ),
    };
  }
  const read = await readRequestBody(request, limits.maxBytes);
  if (read.tooLarge) return { ok: false, response: tooLargeResponse(limits.maxBytes) };
  return jsonRpcBodyFrom(read.text, limits);
}

export function tooLargeResponse(maxBytes: number): Response {
  return jsonRpcError(413, 'InvalidRequest', `Payload Too Large: the body exceeds ${maxBytes} bytes`);
}

/**
 * Parses a POST body's text: -32600 when it exceeds the shape bounds (checked first, so such a
 * body is never parsed), -32700 when it is not JSON, -32600 when it is not JSON-RPC.
 */
export function jsonRpcBodyFrom(text: string, bounds: JsonBounds): BodyOutcome {
  const violation = jsonBoundsViolation(text, bounds);
  if (violation !== undefined) {
    return { ok: false, response: jsonRpcError(400, 'InvalidRequest', violation) };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'invalid JSON';
    return { ok: false, response: jsonRpcError(400, 'ParseError', `Parse error: ${reason}`) };
  }
  const messages = Array.isArray(body) ? body : [body];
  if (messages.length === 0 || !messages.every(isJsonRpcMessage)) {
    return {
      ok: false,
      response: jsonRpcError(400, 'InvalidRequest', 'Invalid Request: expected a JSON-RPC 2.0 message'),
    };
  }
  return { ok: true, body };
}
