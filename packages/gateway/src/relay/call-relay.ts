/**
 * Forwarding the three methods that can need the user's input part-way through — tools/call,
 * prompts/get, resources/read — to the upstream that owns the target, in either era:
 * - a 2026-07-28 upstream answers `input_required` itself; the gateway passes it through, wrapping
 *   the upstream's requestState in its own signed state so the retry finds its way back;
 * - a 2025-era upstream sends elicitation/sampling/roots requests during the call; the call is
 *   kept open (SuspendableCall) and the questions go to the client as `input_required`.
 */
import type { Client, StandardSchemaV1, Tool } from '@modelcontextprotocol/client';
import {
  CLIENT_CAPABILITIES_META_KEY,
  isInputRequiredResult,
  LOG_LEVEL_META_KEY,
  SdkError,
  SdkErrorCode,
} from '@modelcontextprotocol/client';
import type { InputRequests } from '@modelcontextprotocol/server';
import { APPROVAL_INPUT_KEY, newRoundId } from '../approvals/approval-call.ts';
import { errorCode, wireError } from '../errors/wire.ts';
import type { TraceCarrier } from '../observability/tracing.ts';
import type { ApprovedRequest } from '../pipeline/context.ts';
import { inputRequiredOutcome, type Outcome, resultOutcome } from '../pipeline/outcome.ts';
import { identityHeaders } from '../policy/inject.ts';
import type { TaskIdCodec } from '../tasks/task-ids.ts';
import { capabilitiesForUpstream, relayCreatedTask } from '../tasks/task-relay.ts';
import { takeTaskResult } from '../upstream/inbound-results.ts';
import { upstreamTimeout } from '../upstream/resilience.ts';
import type { CallChannel, Upstream } from '../upstream/upstream.ts';
import { type RoundOutcome, SuspendableCall, type SuspendedCalls } from './suspendable-call.ts';

export type ForwardMethod = 'tools/call' | 'prompts/get' | 'resources/read';

/** What the gateway keeps in requestState between rounds (signed by the SDK codec). */
export type ResumeState =
  | { k: 'relay'; u: string; p: string; s?: string; a?: ApprovedMark }
  | { k: 'suspended'; u: string; p: string; id: string; a?: ApprovedMark }
  /**
   * The gateway's own in-band approval question (stages/approve.ts): principal, call fingerprint,
   * policy version, the approval's id (spent once) and its expiry.
   */
  | { k: 'approval'; p: string; h: string; v: string; i: string; exp: number };

/**
 * Carried by later rounds of an approved exchange: the call's fingerprint, the approver, and this
 * round's id (spent when the round is answered, so it is answered once).
 */
export interface ApprovedMark {
  h: string;
  by: string;
  r: string;
}

function approvedMark(req: ApprovedRequest): { a?: ApprovedMark } {
  const approval = req.approval;
  return approval?.state === 'approved'
    ? { a: { h: approval.fingerprint, by: approval.by, r: newRoundId() } }
    : {};
}

/** The caller's answers meant for the upstream: the gateway's own approval answer is not. */
function upstreamInputResponses(req: ApprovedRequest): Record<string, unknown> | undefined {
  const responses = req.inputResponses;
  if (responses === undefined || !(APPROVAL_INPUT_KEY in responses)) return responses;
  const { [APPROVAL_INPUT_KEY]: _, ...rest } = responses;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

function principalId(req: ApprovedRequest): string {
  return req.principal.id;
}

type Params = Record<string, unknown>;

/** What forwarding needs besides the request: parked 2025-era calls and the task-id seal. */
export interface RelayDeps {
  suspended: SuspendedCalls;
  taskIds: TaskIdCodec;
}

interface SendOptions {
  signal: AbortSignal;
  /** The attempt's trace context, passed on in `_meta` and (HTTP) headers. */
  carrier: TraceCarrier;
  /** Per-request HTTP headers (identity forwarding); stdio upstreams ignore them. */
  headers?: Record<string, string>;
  onprogress: (p: { progress: number; total?: number; message?: string }) => void;
}

/**
 * The result of a relayed `tools/call`, checked only for being an object. The gateway forwards it,
 * it does not consume it: the SDK codec still checks the wire envelope, and the caller's client
 * validates `structuredContent` against the `outputSchema` the gateway advertised (which shaping
 * may have rewritten). `client.callTool` would also run zod over the whole result and the
 * upstream's output schema on every call, which was a tenth of the gateway's CPU per call.
 * (callTool is still used where it does more: see send().)
 */
const RELAYED_RESULT: StandardSchemaV1<Params> = {
  '~standard': {
    version: 1,
    vendor: 'gatehouse',
    validate: (value) =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? { value: value as Params }
        : { issues: [{ message: 'a tools/call result must be an object' }] },
  },
};

function send(
  client: Client,
  method: ForwardMethod,
  params: Params,
  upstream: Upstream,
  options: SendOptions,
): Promise<Params> {
  const { carrier, ...rest } = options;
  const traced = withTraceCarrier(params, rest.headers, carrier);
  const common = {
    ...rest,
    headers: traced.headers,
    timeout: upstreamTimeout(upstream),
    allowInputRequired: true,
  };
  const sent = traced.params;
  if (method === 'tools/call') {
    // Over HTTP in the 2026-07-28 era, callTool mirrors x-mcp-header arguments into Mcp-Param-*
    // headers (SEP-2243), which the upstream checks; nowhere else is there anything to mirror.
    if (upstream.model.transport === 'http' && upstream.era === 'modern')
      return client.callTool(sent as never, common) as Promise<Params>;
    return client.request({ method: 'tools/call', params: sent }, RELAYED_RESULT, common) as Promise<Params>;
  }
  if (method === 'prompts/get') return client.getPrompt(sent as never, common) as Promise<Params>;
  return client.readResource(sent as never, { ...common, cacheMode: 'bypass' }) as Promise<Params>;
}

/** Adds the W3C trace context to the request's `_meta` and, for HTTP upstreams, its headers. */
function withTraceCarrier(
  params: Params,
  headers: Record<string, string> | undefined,
  carrier: TraceCarrier,
): { params: Params; headers: Record<string, string> | undefined } {
  if (carrier.traceparent === undefined) return { params, headers };
  const meta = { ...((params._meta as Params | undefined) ?? {}), ...carrier };
  return { params: { ...params, _meta: meta }, headers: { ...headers, ...carrier } };
}

/** Result fields that describe the upstream's own wire envelope, not the content it returned. */
const ENVELOPE_FIELDS = ['resultType', 'ttlMs', 'cacheScope'] as const;
const SERVER_INFO_META = 'io.modelcontextprotocol/serverInfo';

/** Drops the upstream's identity from a result's `_meta`: the client talks to the gateway. */
export function withoutServerInfo(result: Params): Params {
  const meta = result._meta;
  if (meta === null || typeof meta !== 'object' || !(SERVER_INFO_META in meta)) return result;
  const { [SERVER_INFO_META]: _, ...rest } = meta as Params;
  const clean: Params = { ...result };
  if (Object.keys(rest).length > 0) clean._meta = rest;
  else delete clean._meta;
  return clean;
}

/**
 * Strips the upstream's envelope from a result: the gateway is the server the client talks to,
 * so the SDK stamps the gateway's own identity and cache hints for the client's era (and none on
 * 2025-era responses, where these fields do not exist).
 */
export function withoutUpstreamEnvelope(result: Params): Params {
  const clean: Params = { ...result };
  for (const field of ENVELOPE_FIELDS) delete clean[field];
  return withoutServerInfo(clean);
}

/** Upstream JSON-RPC errors pass through unchanged; transport failures get registry codes. */
export function upstreamFailure(error: unknown, upstream: Upstream): unknown {
  if (error instanceof SdkError) {
    if (error.code === SdkErrorCode.RequestTimeout) {
      return wireError('UpstreamTimeout', `upstream "${upstream.name}" did not answer in time`, {
        upstream: upstream.name,
        reason: 'timeout',
      });
    }
    // An HTTP upstream's error body (a proxy's HTML page, internal host names) is not for callers.
    const status = (error.data as { status?: unknown } | undefined)?.status;
    const detail = typeof status === 'number' ? `HTTP ${status}` : error.message;
    return wireError('UpstreamUnavailable', `upstream "${upstream.name}" failed: ${detail}`, {
      upstream: upstream.name,
      reason: 'failed',
      ...(typeof status === 'number' ? { httpStatus: status } : {}),
    });
  }
  if (errorCode(error) !== undefined) return error;
  const message = error instanceof Error ? error.message : String(error);
  return wireError('UpstreamUnavailable', `upstream "${upstream.name}" failed: ${message}`, {
    upstream: upstream.name,
    reason: 'failed',
  });
}

/**
 * Whether a failed attempt may be sent again: prompts and reads may; a tool only when its
 * (pinned) definition says it is read-only or idempotent — never a side-effecting one.
 */
export function mayRepeat(req: ApprovedRequest): boolean {
  if (req.method !== 'tools/call') return true;
  const annotations = (req.target?.entry?.item as Tool | undefined)?.annotations;
  return annotations?.readOnlyHint === true || annotations?.idempotentHint === true;
}

function headersFor(req: ApprovedRequest, upstream: Upstream): Record<string, string> {
  return identityHeaders(upstream.model.forwardIdentity, req.principal);
}

function progressTo(req: ApprovedRequest) {
  return (p: { progress: number; total?: number; message?: string }) => req.downstream.progress(p);
}

function outcomeOfRound(outcome: RoundOutcome, upstream: Upstream, resume: ResumeState): Outcome {
  if (outcome.kind === 'result') return resultOutcome(withoutUpstreamEnvelope(outcome.result));
  if (outcome.kind === 'error') throw upstreamFailure(outcome.error, upstream);
  return inputRequiredOutcome(outcome.inputRequests, resume);
}

/**
 * A 2026-07-28 upstream learns from each request's envelope what the client can do and which log
 * messages it wants. The gateway's SDK client would stamp the gateway's own capabilities there,
 * so the caller's are put in explicitly (caller-supplied `_meta` keys win over the SDK's).
 */
export function withCallerEnvelope(req: ApprovedRequest, params: Params): Params {
  const meta: Params = { ...((params._meta as Params | undefined) ?? {}) };
  const capabilities = capabilitiesForUpstream(req);
  if (capabilities !== undefined) meta[CLIENT_CAPABILITIES_META_KEY] = capabilities;
  // A 2025-era session filters by its own level when relaying, so it asks the upstream for all.
  const level = req.era === 'legacy' ? 'debug' : req.logLevel;
  if (level !== undefined) meta[LOG_LEVEL_META_KEY] = level;
  return { ...params, _meta: meta };
}

async function forwardModern(
  req: ApprovedRequest,
  upstream: Upstream,
  method: ForwardMethod,
  params: Params,
  taskIds: TaskIdCodec,
  state?: ResumeState,
): Promise<Outcome> {
  const upstreamParams: Params = withCallerEnvelope(req, params);
  // Answers go to the upstream even without gateway requestState: a server may accept answers
  // it did not ask for in this exchange (SEP-2322), and it is the one to judge them.
  const answers = upstreamInputResponses(req);
  if (answers !== undefined) upstreamParams.inputResponses = answers;
  if (state?.k === 'relay' && state.s !== undefined) upstreamParams.requestState = state.s;
  const channel: CallChannel = {
    request: () => Promise.reject(new Error('modern upstream')),
    log: (p) => req.downstream.log(p),
  };
  let result: Record<string, unknown>;
  try {
    result = await upstream.use(
      (client, signal, carrier) =>
        send(client, method, upstreamParams, upstream, {
          signal,
          carrier,
          onprogress: progressTo(req),
          headers: headersFor(req, upstream),
        }),
      { signal: req.signal, retryable: mayRepeat(req), channel, trace: req.trace, method },
    );
  } catch (error) {
    throw upstreamFailure(error, upstream);
  }
  if (isInputRequiredResult(result)) {
    const next: ResumeState = { k: 'relay', u: upstream.name, p: principalId(req), ...approvedMark(req) };
    if (result.requestState !== undefined) next.s = result.requestState;
    return inputRequiredOutcome((result.inputRequests ?? {}) as InputRequests, next);
  }
  const task = takeTaskResult(result);
  return resultOutcome(
    task
      ? relayCreatedTask(req, upstream, withoutServerInfo(task), taskIds)
      : withoutUpstreamEnvelope(result),
  );
}

async function forwardLegacy(
  req: ApprovedRequest,
  upstream: Upstream,
  method: ForwardMethod,
  params: Params,
  suspended: SuspendedCalls,
): Promise<Outcome> {
  const call = new SuspendableCall();
  call.start((channel, callSignal) =>
    upstream.use(
      (client, signal, carrier) =>
        send(client, method, params, upstream, {
          signal,
          carrier,
          onprogress: (p) => call.progress(p),
          headers: headersFor(req, upstream),
        }),
      { signal: callSignal, retryable: mayRepeat(req), channel, trace: req.trace, method },
    ),
  );
  return nextSuspendedRound(req, upstream, call, suspended);
}

/** Runs a parked 2025-era call to its next stop: a result, an error, or more questions (parked again). */
async function nextSuspendedRound(
  req: ApprovedRequest,
  upstream: Upstream,
  call: SuspendableCall,
  suspended: SuspendedCalls,
): Promise<Outcome> {
  const outcome = await call.nextRound(req.downstream, req.signal);
  if (outcome.kind === 'input') suspended.park(call);
  return outcomeOfRound(outcome, upstream, {
    k: 'suspended',
    u: upstream.name,
    p: principalId(req),
    id: call.id,
    ...approvedMark(req),
  });
}

async function resumeSuspended(
  req: ApprovedRequest,
  upstream: Upstream,
  state: { id: string },
  suspended: SuspendedCalls,
): Promise<Outcome> {
  const call = suspended.take(state.id);
  if (!call) {
    throw wireError(
      'InputRequestExpired',
      'The call this answer belongs to has ended or expired; call again',
    );
  }
  call.answer(req.inputResponses);
  return nextSuspendedRound(req, upstream, call, suspended);
}

/** Forwards `params` (already renamed for the upstream); the upstream's answer as an outcome. */
export async function forward(
  req: ApprovedRequest,
  upstream: Upstream,
  method: ForwardMethod,
  params: Params,
  deps: RelayDeps,
): Promise<Outcome> {
  const resumed = req.resumeState as ResumeState | undefined;
  // The gateway's own approval round (already checked by the approve stage) is not the upstream's.
  const state = resumed?.k === 'approval' ? undefined : resumed;
  // requestState is bound to the target's upstream and to the caller: one principal cannot
  // continue another's exchange even holding its state.
  if (state !== undefined && (state.u !== upstream.name || state.p !== principalId(req))) {
    throw wireError('InvalidParams', 'requestState belongs to a different target');
  }
  if (state?.k === 'suspended') return resumeSuspended(req, upstream, state, deps.suspended);
  if (upstream.era === 'modern') return forwardModern(req, upstream, method, params, deps.taskIds, state);
  return forwardLegacy(req, upstream, method, params, deps.suspended);
}
