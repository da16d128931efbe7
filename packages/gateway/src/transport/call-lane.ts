/**
 * The call lane: plain `tools/call` and `tools/list` requests over HTTP, served straight from
 * Node's request to the gateway pipeline and back, without building a web Request, an SDK server
 * (one per request in the 2026-07-28 era) and an SSE stream (2025-era sessions) around them. It is
 * the gateway's hot path; the pipeline — authentication, policy, approval, shaping, audit,
 * metrics — is the same one the SDK path runs, with the request built by the same function
 * (downstream/gateway-request.ts).
 *
 * The lane writes only what it can write exactly as the SDK would: a plain result, with nothing
 * sent before it. Everything else falls back to the SDK path:
 * - before the pipeline runs — anything call-lane-route.ts does not accept, and every refusal
 *   (Host/Origin, authentication, draining), which the front answers itself;
 * - after it ran — an error, an input-required result, or log messages to deliver: the SDK path
 *   gets the outcome (downstream/prepared-outcome.ts) and encodes it, without running the
 *   pipeline again.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AuthInfo,
  isJsonContentType,
  type LoggingMessageNotificationParams,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  validateHostHeader,
  validateOriginHeader,
} from '@modelcontextprotocol/server';
import type { Authenticator } from '../auth/authenticator.ts';
import type { Principal } from '../auth/principal.ts';
import type { ServerModel } from '../config/model.ts';
import { newGatewayRequest } from '../downstream/gateway-request.ts';
import { PREPARED_AUTH_KEY, type PreparedOutcome } from '../downstream/prepared-outcome.ts';
import type { HeaderReader } from '../observability/tracing.ts';
import type { GatewayRequest } from '../pipeline/context.ts';
import type { Outcome, Pipeline } from '../pipeline/outcome.ts';
import { encodedResult } from './call-lane-encode.ts';
import { type LaneRoute, laneRoute, mentionsHeaderParams } from './call-lane-route.ts';
import { authInfoFor } from './http-auth.ts';
import { type BodyLimits, bodyLimitsOf, jsonRpcBodyFrom, tooLargeResponse } from './hygiene.ts';
import type { LaneSession } from './legacy-sessions.ts';
import { writeWebResponse } from './node-response.ts';

export interface CallLaneDeps {
  server: ServerModel;
  authenticator: Authenticator;
  /** Runs the gateway's current pipeline. */
  pipeline: Pipeline<GatewayRequest>;
  shutdown: AbortSignal;
  toolInputSchema: (name: string) => Record<string, unknown> | undefined;
  draining: () => boolean;
  laneSession: (id: string, principalId: string) => LaneSession | undefined;
}

/**
 * `served`: the lane answered. Otherwise the SDK path must: with `parsedBody` when the lane
 * already read the body (the Node request's stream is then consumed), and with the caller's
 * `authInfo` (set on the Node request as `req.auth`) when it authenticated them.
 */
export type LaneVerdict = { served: true } | { served: false; parsedBody?: unknown };

type NodeRequest = IncomingMessage & { auth?: AuthInfo };

const FALL_BACK: LaneVerdict = { served: false };
const SERVED: LaneVerdict = { served: true };

export function createCallLane(deps: CallLaneDeps) {
  const hosts = [...localhostAllowedHostnames(), ...deps.server.allowedHosts];
  const origins = [...localhostAllowedOrigins(), ...deps.server.allowedOrigins];
  const bodyLimits = bodyLimitsOf(deps.server);
  const routeOptions = {
    declaresHeaderParams: (name: string) => mentionsHeaderParams(deps.toolInputSchema(name)),
  };

  /** Whether the request passes the front's own checks, and who the caller is; else undefined. */
  async function admit(headers: HeaderReader): Promise<Principal | undefined> {
    if (deps.draining() || !isJsonContentType(headers.get('content-type'))) return undefined;
    if (!validateHostHeader(headers.get('host'), hosts).ok) return undefined;
    if (!validateOriginHeader(headers.get('origin'), origins).ok) return undefined;
    const identity = await deps.authenticator.authenticateHttp(headers.get('authorization'));
    return identity.ok ? identity.principal : undefined;
  }

  return async function serve(req: NodeRequest, res: ServerResponse): Promise<LaneVerdict> {
    const headers = nodeHeaders(req);
    const principal = await admit(headers);
    if (principal === undefined) return FALL_BACK;
    req.auth = authInfoFor(principal);
    const body = await readJsonRpc(req, res, bodyLimits);
    if (body === undefined) return SERVED;
    const route = laneRoute(body, headers, routeOptions);
    if (route === undefined) return { served: false, parsedBody: body };
    const session = route.era === 'legacy' ? deps.laneSession(route.sessionId, principal.id) : undefined;
    if (route.era === 'legacy' && session === undefined) return { served: false, parsedBody: body };
    const answered = await runCall(deps, req, res, { route, session, headers, principal });
    return answered ? SERVED : { served: false, parsedBody: body };
  };
}

/** The body, checked as JSON-RPC; or undefined after answering a refusal (413, -32700, -32600). */
async function readJsonRpc(req: IncomingMessage, res: ServerResponse, limits: BodyLimits): Promise<unknown> {
  const text = await readBody(req, limits.maxBytes);
  if (text === undefined) {
    res.setHeader('connection', 'close');
    await writeWebResponse(res, tooLargeResponse(limits.maxBytes));
    return undefined;
  }
  const body = jsonRpcBodyFrom(text, limits);
  if (body.ok) return body.body;
  await writeWebResponse(res, body.response);
  return undefined;
}

interface LaneCall {
  route: LaneRoute;
  session: LaneSession | undefined;
  headers: HeaderReader;
  principal: Principal;
}

/** Runs the pipeline; writes a plain result, or leaves the outcome on `req.auth` and returns false. */
async function runCall(
  deps: CallLaneDeps,
  req: NodeRequest,
  res: ServerResponse,
  call: LaneCall,
): Promise<boolean> {
  const { route, session, headers, principal } = call;
  // Aborted when a 2026-07-28 caller goes away (that is its cancellation, as on the SDK path),
  // or when a 2025-era caller cancels with notifications/cancelled. A 2025-era disconnect is not
  // a cancellation (the spec says so): the call runs to its end, audited as usual.
  const ended = new AbortController();
  const onClose = () => {
    if (!res.writableEnded) ended.abort(GONE);
  };
  if (route.era === 'modern') res.once('close', onClose);
  session?.laneCalls.set(route.id, ended);
  const logs: LoggingMessageNotificationParams[] = [];
  const request = newGatewayRequest(
    {
      method: route.method,
      params: route.params,
      era: route.era,
      transport: 'http',
      sessionId: session?.id,
      signal: ended.signal,
      envelope: route.era === 'modern' ? route.envelope : undefined,
      sessionCapabilities: () => session?.server.server.getClientCapabilities(),
      inputResponses: undefined,
      resumeState: undefined,
      headers,
      principal,
      // No progress token, so the pipeline sends no progress.
      notify: () => {},
      // 2026-07-28 without a log level in the envelope: the SDK sends no log messages either.
      log: route.era === 'legacy' ? (p) => logs.push(p) : () => {},
    },
    deps.shutdown,
  );
  let outcome: Outcome;
  try {
    outcome = await deps.pipeline(request);
  } finally {
    session?.laneCalls.delete(route.id);
    res.off('close', onClose);
  }
  // A caller that went away gets nothing: a JSON answer has no stream to resume.
  if (res.destroyed) return true;
  if (ended.signal.aborted) {
    // A cancelled request gets no answer (as on the SDK path); its HTTP exchange still ends, as an
    // event stream with no events.
    endWithoutAnswer(res, session?.id);
    return true;
  }
  const encoded =
    outcome.kind !== 'result' || logs.length > 0
      ? undefined
      : encodedResult(route.era, route.method, outcome.result, deps.server.listTtlMs);
  if (encoded !== undefined) {
    writeJson(res, `{"result":${encoded},"jsonrpc":"2.0","id":${JSON.stringify(route.id)}}`, session?.id);
    return true;
  }
  const prepared: PreparedOutcome = {
    method: route.method,
    requestId: route.id,
    outcome,
    logs,
    taken: false,
  };
  (req.auth as AuthInfo).extra = { ...(req.auth as AuthInfo).extra, [PREPARED_AUTH_KEY]: prepared };
  return false;
}

const GONE = 'the caller went away';

function endWithoutAnswer(res: ServerResponse, sessionId: string | undefined): void {
  const headers: Record<string, string> = {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
  };
  if (sessionId !== undefined) headers['mcp-session-id'] = sessionId;
  res.writeHead(200, headers);
  res.end();
}

function writeJson(res: ServerResponse, payload: string, sessionId: string | undefined): void {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  };
  if (sessionId !== undefined) headers['mcp-session-id'] = sessionId;
  res.writeHead(200, headers);
  res.end(payload);
}

/** Node's lower-cased header object as a HeaderReader (repeated headers joined, as fetch does). */
function nodeHeaders(req: IncomingMessage): HeaderReader {
  return {
    get(name) {
      const value = req.headers[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/** The body as text, or undefined when it is longer than `maxBytes`. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  if (Number(req.headers['content-length']) > maxBytes) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (size <= maxBytes)
        resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString() : Buffer.concat(chunks).toString());
    });
    req.once('error', reject);
  });
}
