/**
 * audit: records every request — lists, calls, reads, gets; allowed, denied, failed or waiting
 * for input — with who, what, the decision and the rule behind it, and the outcome. It sits just
 * inside observe so that it sees every outcome of the stages below it, including denials by
 * route (hidden targets) and authorize. The response waits for the record to be committed, so a
 * call the client saw answered is never missing from the log, even after a crash.
 */
import { createHash } from 'node:crypto';
import { type AuditEvent, type AuditStatus, auditPrincipal } from '../audit/event.ts';
import { wireErrorEntry } from '../errors/registry.ts';
import type { Logger } from '../observability/logger.ts';
import { traceIdOf } from '../observability/tracing.ts';
import type { Stage } from '../pipeline/compose.ts';
import type { GatewayRequest } from '../pipeline/context.ts';
import { isToolError, type Outcome, toolErrorReason } from '../pipeline/outcome.ts';
import { resultBytes } from '../pipeline/result-json.ts';

export interface AuditSink {
  record(event: AuditEvent): Promise<void>;
}

/** The routed target's name; for a request that never got routed, the name it asked for. */
function targetName(req: GatewayRequest): string | null {
  if (req.trail.target !== undefined) return req.trail.target.name;
  const p = req.params;
  if (typeof p.name === 'string') return p.name;
  if (typeof p.uri === 'string') return p.uri;
  if (typeof p.taskId === 'string') return p.taskId;
  const ref = p.ref as Record<string, unknown> | undefined;
  if (ref && typeof ref.name === 'string') return ref.name;
  if (ref && typeof ref.uri === 'string') return ref.uri;
  return null;
}

function statusOf(req: GatewayRequest, outcome: Outcome): AuditStatus {
  if (req.trail.decision?.effect === 'deny') return 'denied';
  if (req.trail.approval?.state === 'pending') return 'awaiting_approval';
  if (outcome.kind === 'error') return wireErrorEntry(outcome.code)?.audit ?? 'error';
  if (outcome.kind === 'input_required') return 'input_required';
  return isToolError(outcome.result) ? 'tool_error' : 'ok';
}

/**
 * Digests of frozen results: list pages are built once per role set and catalog version, frozen
 * and shared (policy/catalog-view.ts), so each is hashed once rather than on every listing.
 */
const frozenDigests = new WeakMap<object, { bytes: number; hash: string }>();

function resultDigest(result: Record<string, unknown> | undefined): { bytes: number; hash: string } | null {
  if (result === undefined) return null;
  const known = frozenDigests.get(result);
  if (known !== undefined) return known;
  // The bytes the call lane sends (encoded once for both; see pipeline/result-json.ts).
  const bytes = resultBytes(result);
  const digest = { bytes: bytes.length, hash: createHash('sha256').update(bytes).digest('hex') };
  if (Object.isFrozen(result)) frozenDigests.set(result, digest);
  return digest;
}

/** What went wrong: the error's message, or why the tool said no; null for a success. */
function errorMessageOf(outcome: Outcome): string | null {
  if (outcome.kind === 'error')
    return outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
  if (outcome.kind === 'result' && isToolError(outcome.result)) return toolErrorReason(outcome.result);
  return null;
}

export function buildAuditEvent(req: GatewayRequest, outcome: Outcome, arrivedAt: string): AuditEvent {
  const { principal, trail } = req;
  const digest = outcome.kind === 'result' ? resultDigest(outcome.result) : null;
  const code = outcome.kind === 'error' ? outcome.code : null;
  return {
    time: arrivedAt,
    requestId: req.id,
    traceId: traceIdOf(req.trace),
    principal: principal ? auditPrincipal(principal) : null,
    transport: req.transport,
    era: req.era,
    sessionId: req.sessionId ?? null,
    method: req.method,
    target: targetName(req),
    upstream: trail.target?.upstream.name ?? null,
    arguments:
      req.method === 'tools/call' || req.method === 'prompts/get' ? (req.params.arguments ?? null) : null,
    decision: trail.decision ? trail.decision.effect : 'none',
    rule: trail.decision?.rule ?? null,
    status: statusOf(req, outcome),
    errorCode: code,
    errorMessage: errorMessageOf(outcome),
    latencyMs: Math.round((performance.now() - req.startedAt) * 1000) / 1000,
    resultBytes: digest?.bytes ?? null,
    resultHash: digest?.hash ?? null,
    approvedBy: trail.approval?.state === 'approved' ? trail.approval.by : null,
  };
}

export function audit(sink: AuditSink, log: Logger): Stage<GatewayRequest> {
  return async (req, next) => {
    const arrivedAt = new Date().toISOString();
    const outcome = await next(req);
    try {
      await sink.record(buildAuditEvent(req, outcome, arrivedAt));
    } catch (error) {
      // The answer is already decided; losing it now would not undo the upstream's work. The
      // failure is loud instead, and the writer keeps the chain intact for the next records.
      log.error(
        { rid: req.id, err: error instanceof Error ? error.message : String(error) },
        'audit write failed',
      );
    }
    return outcome;
  };
}
