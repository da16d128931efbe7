/**
 * observe: the outermost stage. It counts the request in and out (drain waits for it), opens its
 * trace span (continuing the caller's trace), times it, logs its outcome with the request id,
 * trace id, principal and target, and records the metrics — including requests that later stages
 * deny or that fail. An unexpected exception becomes InternalError here, so a bug in one request
 * never reaches the transport as a crash.
 */
import type { Span } from '@opentelemetry/api';
import { WireErrors } from '../errors/registry.ts';
import { errorCode, wireError } from '../errors/wire.ts';
import type { Logger } from '../observability/logger.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { outcomeOf } from '../observability/outcome.ts';
import { endSpan, type Tracing, traceIdOf } from '../observability/tracing.ts';
import type { Middleware } from '../pipeline/compose.ts';
import type { GatewayRequest } from '../pipeline/context.ts';

/** Counts requests being handled; shutdown waits for it to reach zero. */
export interface RequestCounter {
  enter(): void;
  leave(): void;
}

export interface ObserveDeps {
  log: Logger;
  metrics: GatewayMetrics | null;
  tracing: Tracing | null;
  requests: RequestCounter;
}

/** The tool or prompt a request is about, when it was routed (bounded label values only). */
function targetLabel(req: GatewayRequest): string {
  if (req.target === undefined) return '';
  if (req.method === 'tools/call' || req.method === 'prompts/get') return String(req.params.name ?? '');
  return '';
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

function finishSpan(span: Span | undefined, req: GatewayRequest, outcome: string): void {
  if (span === undefined) return;
  span.setAttributes({
    'gatehouse.outcome': outcome,
    ...(req.principal ? { 'enduser.id': req.principal.id } : {}),
    ...(req.target
      ? { 'gatehouse.upstream': req.target.upstream.name, 'gatehouse.target': req.target.original }
      : {}),
  });
  endSpan(span, req.error);
}

export function observe(deps: ObserveDeps): Middleware<GatewayRequest> {
  const { log, metrics, tracing, requests } = deps;
  return async (req, next) => {
    requests.enter();
    const span = startSpan(req, tracing);
    let unexpected: unknown;
    let threw = false;
    try {
      await next();
    } catch (error) {
      threw = true;
      req.error = error;
      if (errorCode(error) === undefined) unexpected = error;
    } finally {
      requests.leave();
    }
    req.outcome = req.error !== undefined ? 'error' : req.inputRequired ? 'input_required' : 'ok';
    const outcome = outcomeOf(req);
    const ms = performance.now() - req.startedAt;
    const tool = targetLabel(req);
    const upstream = req.target?.upstream.name ?? '';
    if (metrics !== null) {
      const labels = { method: req.method, tool, upstream, outcome };
      metrics.requests.inc(labels);
      metrics.duration.observe(labels, ms / 1000);
      countSideEffects(metrics, req, outcome);
    }
    finishSpan(span, req, outcome);
    logOutcome(log, req, { outcome, ms, upstream }, unexpected);
    if (unexpected !== undefined) throw wireError('InternalError', `Internal error (request ${req.id})`);
    // Unless a stage answered the failure already (an isError tool result for the model).
    if (threw) throw req.error;
  };
}

/** One log line per request: debug when it succeeded, info when it failed, error for a bug. */
function logOutcome(
  log: Logger,
  req: GatewayRequest,
  seen: { outcome: string; ms: number; upstream: string },
  unexpected: unknown,
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
    target: req.target?.original,
    outcome: seen.outcome,
    ms: Math.round(seen.ms * 100) / 100,
  };
  if (unexpected !== undefined) log.error({ ...fields, err: unexpected }, 'request failed unexpectedly');
  else if (req.error === undefined) log.debug(fields, 'request');
  else {
    const message = req.error instanceof Error ? req.error.message : String(req.error);
    log.info({ ...fields, code: errorCode(req.error), err: message }, 'request failed');
  }
}

function countSideEffects(metrics: GatewayMetrics, req: GatewayRequest, outcome: string): void {
  if (outcome === 'rate_limited') {
    const data = (req.error as { data?: { rule?: unknown } }).data;
    metrics.rateLimitHits.inc({ rule: String(data?.rule ?? '') });
  } else if (outcome === 'awaiting_approval') metrics.approvals.inc({ outcome: 'queued' });
  else if (req.approval?.state === 'approved' && outcome === 'ok')
    metrics.approvals.inc({ outcome: 'approved' });
  else if (outcome === 'denied' && errorCode(req.error) === WireErrors.ApprovalDenied.code)
    metrics.approvals.inc({ outcome: 'denied' });
}
