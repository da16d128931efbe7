/**
 * observe: the outermost stage. It counts the request in and out (drain waits for it), opens its
 * trace span (continuing the caller's trace), times it, logs its outcome with the request id,
 * trace id, principal and target, and records the metrics — including requests that later stages
 * deny or that fail. An unexpected exception becomes InternalError here, so a bug in one request
 * never reaches the transport as a crash.
 */
import type { Span } from '@opentelemetry/api';
import { WireErrors } from '../errors/registry.ts';
import { wireError } from '../errors/wire.ts';
import type { RequestCounter } from '../lifecycle/requests.ts';
import type { Logger } from '../observability/logger.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { outcomeLabel } from '../observability/outcome.ts';
import { endSpan, type Tracing, traceIdOf } from '../observability/tracing.ts';
import type { Stage } from '../pipeline/compose.ts';
import type { GatewayRequest } from '../pipeline/context.ts';
import { type ErrorOutcome, errorOutcome, failureOf, type Outcome } from '../pipeline/outcome.ts';

export interface ObserveDeps {
  log: Logger;
  metrics: GatewayMetrics | null;
  tracing: Tracing | null;
  requests: RequestCounter;
}

/** The tool or prompt a request is about, when it was routed (bounded label values only). */
function targetLabel(req: GatewayRequest): string {
  const target = req.trail.target;
  if (target === undefined) return '';
  return req.method === 'tools/call' || req.method === 'prompts/get' ? target.name : '';
}

/** The caller's roles, for the per-role histogram ("" when the request has no principal or role). */
function rolesOf(req: GatewayRequest): readonly string[] {
  const roles = req.principal?.roles ?? [];
  return roles.length > 0 ? roles : [''];
}

function startSpan(req: GatewayRequest, tracing: Tracing | null): Span | undefined {
  if (tracing === null) return undefined;
  const { span, scope } = tracing.startRequest(
    `mcp ${req.method}`,
    { 'mcp.method.name': req.method, 'gatehouse.request_id': req.id, 'gatehouse.era': req.era },
    req.traceCarrier,
  );
  req.trace = scope;
  return span;
}

function finishSpan(span: Span | undefined, req: GatewayRequest, label: string, failure: unknown): void {
  if (span === undefined) return;
  const target = req.trail.target;
  span.setAttributes({
    'gatehouse.outcome': label,
    ...(req.principal ? { 'enduser.id': req.principal.id } : {}),
    ...(target ? { 'gatehouse.upstream': target.upstream.name, 'gatehouse.target': target.original } : {}),
  });
  endSpan(span, failure);
}

export function observe(deps: ObserveDeps): Stage<GatewayRequest> {
  const { log, metrics, tracing, requests } = deps;
  return async (req, next) => {
    requests.enter();
    const span = startSpan(req, tracing);
    let outcome: Outcome;
    try {
      outcome = await next(req);
    } finally {
      requests.leave();
    }
    const failure = failureOf(outcome);
    const label = outcomeLabel(req.trail, outcome);
    const ms = performance.now() - req.startedAt;
    const upstream = req.trail.target?.upstream.name ?? '';
    if (metrics !== null) {
      const labels = { method: req.method, tool: targetLabel(req), upstream, outcome: label };
      metrics.requests.inc(labels);
      metrics.duration.observe(labels, ms / 1000);
      for (const role of rolesOf(req)) metrics.roleDuration.observe({ role, outcome: label }, ms / 1000);
      countSideEffects(metrics, req, label, failure);
    }
    finishSpan(span, req, label, failure?.error);
    logOutcome(log, req, { outcome: label, ms, upstream }, failure);
    // A bug in one request becomes InternalError for its caller, never a crash of the transport.
    if (failure?.unexpected === true && outcome.kind === 'error')
      return errorOutcome(wireError('InternalError', `Internal error (request ${req.id})`));
    return outcome;
  };
}

/** One log line per request: debug when it succeeded, info when it failed, error for a bug. */
function logOutcome(
  log: Logger,
  req: GatewayRequest,
  seen: { outcome: string; ms: number; upstream: string },
  failure: ErrorOutcome | undefined,
): void {
  const fields = {
    rid: req.id,
    trace: traceIdOf(req.trace) ?? undefined,
    method: req.method,
    era: req.era,
    transport: req.transport,
    session: req.sessionId,
    principal: req.principal?.id,
    upstream: seen.upstream || undefined,
    target: req.trail.target?.original,
    outcome: seen.outcome,
    ms: Math.round(seen.ms * 100) / 100,
  };
  if (failure === undefined) log.debug(fields, 'request');
  else if (failure.unexpected) log.error({ ...fields, err: failure.error }, 'request failed unexpectedly');
  else {
    const message = failure.error instanceof Error ? failure.error.message : String(failure.error);
    log.info({ ...fields, code: failure.code, err: message }, 'request failed');
  }
}

function countSideEffects(
  metrics: GatewayMetrics,
  req: GatewayRequest,
  label: string,
  failure: ErrorOutcome | undefined,
): void {
  if (label === 'rate_limited') {
    const data = (failure?.error as { data?: { rule?: unknown } } | undefined)?.data;
    metrics.rateLimitHits.inc({ rule: String(data?.rule ?? '') });
  } else if (label === 'awaiting_approval') metrics.approvals.inc({ outcome: 'queued' });
  else if (req.trail.approval?.state === 'approved' && label === 'ok')
    metrics.approvals.inc({ outcome: req.trail.approval.replay ? 'replayed' : 'approved' });
  else if (label === 'denied' && failure?.code === WireErrors.ApprovalDenied.code)
    metrics.approvals.inc({ outcome: 'denied' });
}
