/**
 * The call lane: plain `tools/call` and `tools/list` requests over HTTP, served straight from
 * Node's request to the gateway pipeline and back, without building a web Request, an SDK server
 * (one per request in the 2026-07-28 era) and an SSE stream (2025-era sessions) around them. It is
 * the gateway's hot path; admission (transport/admission.ts) and the pipeline — policy, approval,
 * shaping, audit, metrics — are the same ones the SDK path runs, with the request built by the same
 * function (downstream/gateway-request.ts).
 *
 * The lane decides before the pipeline runs whether it can answer whatever the pipeline returns
 * (call-lane-route.ts, plus the checks below); what it takes, it encodes itself, every outcome
 * (call-lane-encode.ts). What it does not take goes to the SDK path untouched, already admitted:
 * - anything call-lane-route.ts does not accept;
 * - a list whose tools need the SDK's per-era rewriting;
 * - a 2025-era call from a client that can be asked back (elicitation, sampling, roots): its
 *   answer may need the SDK's server-to-client exchange on an SSE stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AuthInfo,
  isJsonContentType,
  type LoggingMessageNotificationParams,
} from '@modelcontextprotocol/server';
import type { RefusalAudit } from '../audit/refusals.ts';
import type { AdmittedCaller } from '../auth/admitted-caller.ts';
import type { Principal } from '../auth/principal.ts';
import type { ServerModel } from '../config/model.ts';
import { newGatewayRequest } from '../downstream/gateway-request.ts';
import type { RequestStateSealer } from '../downstream/request-state.ts';
import { WireErrors, wireErrorEntry } from '../errors/registry.ts';
import { wireError } from '../errors/wire.ts';
import type { HeaderReader } from '../observability/tracing.ts';
import type { Era, GatewayRequest } from '../pipeline/context.ts';
import type { Outcome, Pipeline } from '../pipeline/outcome.ts';
import { eraOfHeaders } from './admission.ts';
import { encodedError, encodedInputRequired, encodedResult, legacyResultBody } from './call-lane-encode.ts';
import { type LaneRoute, laneRoute, mentionsHeaderParams } from './call-lane-route.ts';
import { type BodyLimits, bodyLimitsOf, jsonRpcBodyFrom, tooLargeResponse } from './hygiene.ts';
import type { LaneSession } from './legacy-sessions.ts';
import { writeWebResponse } from './node-response.ts';

export interface CallLaneDeps {
  server: ServerModel;
  /** Where a body the lane refuses is audited (null when the audit is off). */
  refusals: RefusalAudit | null;
  /** Runs the gateway's current pipeline. */
  pipeline: Pipeline<GatewayRequest>;
  shutdown: AbortSignal;
  toolInputSchema: (name: string) => Record<string, unknown> | undefined;
  /** Whether a tool in the catalog needs the SDK's own rewriting of list pages in this era. */
  listNeedsSdk: (era: Era) => boolean;
  laneSession: (id: string, principalId: string) => LaneSession | undefined;
  requestStates: RequestStateSealer;
}

/**
 * `served`: the lane answered. Otherwise the SDK path must: with `parsedBody` when the lane
 * already read the body (the Node request's stream is then consumed), and with the admitted
 * caller set on the Node request (`req.auth`), so the front does not admit it again.
 */
export type LaneVerdict = { served: true } | { served: false; parsedBody?: unknown };

type NodeRequest = IncomingMessage & { auth?: AuthInfo };

const FALL_BACK: LaneVerdict = { served: false };
const SERVED: LaneVerdict = { served: true };

export function createCallLane(deps: CallLaneDeps) {
  const bodyLimits = bodyLimitsOf(deps.server);
  const routeOptions = {
    declaresHeaderParams: (name: string) => mentionsHeaderParams(deps.toolInputSchema(name)),
  };

  /** Serves a request the Node entry admitted as `caller` (transport/admission.ts). */
  return async function serve(
    req: NodeRequest,
    res: ServerResponse,
    caller: AdmittedCaller,
  ): Promise<LaneVerdict> {
    const headers = nodeHeaders(req);
    if (!isJsonContentType(headers.get('content-type'))) return FALL_BACK;
    const refused = (response: Response) =>
      deps.refusals?.refused(response, {
        source: caller.source,
        era: eraOfHeaders(headers),
        principal: caller.principal,
      });
    const body = await readJsonRpc(req, res, bodyLimits, refused);
    if (body === undefined) return SERVED;
    const route = laneRoute(body, headers, routeOptions);
    if (route === undefined || (route.method === 'tools/list' && deps.listNeedsSdk(route.era)))
      return { served: false, parsedBody: body };
    const { principal } = caller;
    const session = route.era === 'legacy' ? deps.laneSession(route.sessionId, principal.id) : undefined;
    if (route.era === 'legacy' && (session === undefined || session.asksBack))
      return { served: false, parsedBody: body };
    await runCall(deps, res, { route, session, headers, principal });
    return SERVED;
  };
}

/**
 * The body, checked as JSON-RPC; or undefined after answering (and auditing) a refusal (413,
 * -32700, -32600).
 */
async function readJsonRpc(
  req: IncomingMessage,
  res: ServerResponse,
  limits: BodyLimits,
  refused: (response: Response) => Promise<void> | undefined,
): Promise<unknown> {
  const text = await readBody(req, limits.maxBytes);
  if (text === undefined) {
    const response = tooLargeResponse(limits.maxBytes);
    await refused(response);
    res.setHeader('connection', 'close');
    await writeWebResponse(res, response);
    return undefined;
  }
  const body = jsonRpcBodyFrom(text, limits);
  if (body.ok) return body.body;
  await refused(body.response);
  await writeWebResponse(res, body.response);
  return undefined;
}

interface LaneCall {
  route: LaneRoute;
  session: LaneSession | undefined;
  headers: HeaderReader;
  principal: Principal;
}

/** Runs the pipeline and writes its outcome. */
async function runCall(deps: CallLaneDeps, res: ServerResponse, call: LaneCall): Promise<void> {
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
      sessionCapabilities: () => session?.capabilities(),
      inputResponses: undefined,
      resumeState: undefined,
      headers,
      principal,
      // No progress token, so the pipeline sends no progress.
      notify: () => {},
      // 2026-07-28 without a log level in the envelope: the SDK sends no log messages either. A
      // 2025-era session gets the messages at or above the level it set, before the answer.
      log: (p) => {
        if (session !== undefined && !session.ignoresLog(p.level)) logs.push(p);
      },
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
  if (res.destroyed) return;
  if (ended.signal.aborted) {
    // A cancelled request gets no answer (as on the SDK path); its HTTP exchange still ends, as an
    // event stream with no events.
    endWithoutAnswer(res, session?.id);
    return;
  }
  if (logs.length === 0 && outcome.kind === 'result' && route.era === 'legacy') {
    writeJson(res, legacyResultBody(route.id, outcome.result), session?.id);
    return;
  }
  const answer = await encodedAnswer(deps, route, outcome);
  if (logs.length === 0) writeJson(res, Buffer.from(answer), session?.id, httpStatusOf(route, outcome));
  else writeEvents(res, [...logs.map(logNotification), answer], session?.id);
}

/** The JSON-RPC response for an outcome. */
async function encodedAnswer(deps: CallLaneDeps, route: LaneRoute, outcome: Outcome): Promise<string> {
  const id = JSON.stringify(route.id);
  switch (outcome.kind) {
    case 'result':
      return `{"result":${encodedResult(route.era, route.method, outcome.result, deps.server.listTtlMs)},"jsonrpc":"2.0","id":${id}}`;
    case 'error':
      return encodedError(route.id, outcome.error, outcome.code);
    case 'input_required': {
      if (route.era === 'legacy') {
        // Only a client that can be asked back is offered the question (the lane leaves those
        // to the SDK path), so one that cannot gets the reason instead.
        const error = wireError(
          'MissingRequiredClientCapability',
          'This call needs an answer from the user, but the client declared no capability to be asked (elicitation)',
        );
        return encodedError(route.id, error, WireErrors.MissingRequiredClientCapability.code);
      }
      const sealed = await deps.requestStates.seal(route.method, outcome.requestState);
      return `{"result":${encodedInputRequired(outcome.inputRequests, sealed)},"jsonrpc":"2.0","id":${id}}`;
    }
  }
}

function logNotification(params: LoggingMessageNotificationParams): string {
  return JSON.stringify({ method: 'notifications/message', params, jsonrpc: '2.0' });
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

/** A 2025-era answer with log messages before it: one event per message (not resumable: sent whole). */
function writeEvents(res: ServerResponse, messages: string[], sessionId: string | undefined): void {
  const headers: Record<string, string> = {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
  };
  if (sessionId !== undefined) headers['mcp-session-id'] = sessionId;
  res.writeHead(200, headers);
  res.end(messages.map((message) => `event: message\ndata: ${message}\n\n`).join(''));
}

/** 200, or the status the registry gives a 2026-07-28 error answered from a handler. */
function httpStatusOf(route: LaneRoute, outcome: Outcome): number {
  if (outcome.kind !== 'error' || route.era !== 'modern') return 200;
  return wireErrorEntry(outcome.code)?.httpStatus ?? 200;
}

/** A JSON answer, already UTF-8 (so its length and its body are the same bytes). */
function writeJson(res: ServerResponse, body: Buffer, sessionId: string | undefined, status = 200): void {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': body.length,
  };
  if (sessionId !== undefined) headers['mcp-session-id'] = sessionId;
  res.writeHead(status, headers);
  res.end(body);
}

/** Node's lower-cased header object as a HeaderReader (repeated headers joined, as fetch does). */
export function nodeHeaders(req: IncomingMessage): HeaderReader {
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
