/**
 * HTTP hygiene, as pure checks over a web Request: DNS-rebinding protection (Host and Origin),
 * body size, JSON and JSON-RPC shape. Each returns a ready-made error Response, or undefined.
 */
import {
  hostHeaderValidationResponse,
  isJsonContentType,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
  readRequestBody,
} from '@modelcontextprotocol/server';
import { jsonRpcError } from './responses.ts';

export interface HygieneOptions {
  allowedHosts: string[];
  allowedOrigins: string[];
  maxBodyBytes: number;
}

export function checkHostAndOrigin(request: Request, options: HygieneOptions): Response | undefined {
  return (
    hostHeaderValidationResponse(request, [...localhostAllowedHostnames(), ...options.allowedHosts]) ??
    originValidationResponse(request, [...localhostAllowedOrigins(), ...options.allowedOrigins])
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

/** Reads and checks a POST body: 415 wrong media type, 413 too large, -32700 not JSON, -32600 not JSON-RPC. */
export async function readJsonRpcBody(request: Request, maxBytes: number): Promise<BodyOutcome> {
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
  const read = await readRequestBody(request, maxBytes);
  if (read.tooLarge) return { ok: false, response: tooLargeResponse(maxBytes) };
  return jsonRpcBodyFrom(read.text);
}

export function tooLargeResponse(maxBytes: number): Response {
  return jsonRpcError(413, 'InvalidRequest', `Payload Too Large: the body exceeds ${maxBytes} bytes`);
}

/** Parses a POST body's text: -32700 when it is not JSON, -32600 when it is not JSON-RPC. */
export function jsonRpcBodyFrom(text: string): BodyOutcome {
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
