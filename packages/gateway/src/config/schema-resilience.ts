/**
 * Resilience in gatehouse.yaml: the top-level `resilience` defaults and each upstream's override
 * (deadline, retries, circuit breaker, bulkhead queue, health probing), plus their runtime model
 * and the pure step between them. Each sub-object overrides the defaults field by field.
 */
import { z } from 'zod';

const ms = z.number().int().positive();

const RetrySchema = z
  .object({
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(10)
      .optional()
      .describe(
        'Attempts in all, for tools annotated readOnlyHint or idempotentHint (and lists, reads, prompts). Side-effecting tools are never retried. 1 turns retries off (default 3).',
      ),
    initialDelayMs: ms.optional().describe('First backoff delay; later ones grow with jitter (default 100).'),
    maxDelayMs: ms.optional().describe('Longest backoff delay (default 2000).'),
  })
  .strict();

const BreakerSchema = z
  .object({
    mode: z
      .enum(['consecutive', 'ratio', 'off'])
      .optional()
      .describe(
        'consecutive: open after `failures` failures in a row; ratio: open when more than `ratio` of the last `window` calls failed (at least `minimumCalls`); off (default consecutive).',
      ),
    failures: z.number().int().min(1).optional().describe('consecutive mode: failures in a row (default 5).'),
    ratio: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe('ratio mode: it opens when more than this share of the window failed (default 0.5).'),
    window: z.number().int().min(2).optional().describe('ratio mode: calls considered (default 20).'),
    minimumCalls: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('ratio mode: calls before it may open (default 10).'),
    halfOpenAfterMs: ms
      .optional()
      .describe('How long it stays open before one trial call is let through (default 10000).'),
  })
  .strict();

const HealthSchema = z
  .object({
    intervalMs: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Probe (ping, or server/discover) every this many ms; 0 turns probing off (default 15000).'),
    timeoutMs: ms.optional().describe('A probe slower than this fails (default 5000).'),
    evictAfter: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'Failed probes in a row that evict the upstream: its entries leave the catalog (list_changed), and it reconnects with backoff; a successful reconnection re-admits it (list_changed again).',
      ),
  })
  .strict();

export const ResilienceSchema = z
  .object({
    deadlineMs: ms
      .optional()
      .describe(
        'Overall deadline of one call, including queueing and retries (default: timeoutMs × retry attempts + 1 s).',
      ),
    retry: RetrySchema.optional(),
    breaker: BreakerSchema.optional(),
    queue: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Calls that may wait for a slot once maxInFlight are running; more are refused (default 0).'),
    health: HealthSchema.optional(),
  })
  .strict();

export type ResilienceParsed = z.output<typeof ResilienceSchema>;

export type BreakerModel =
  | { mode: 'consecutive'; failures: number; halfOpenAfterMs: number }
  | { mode: 'ratio'; ratio: number; window: number; minimumCalls: number; halfOpenAfterMs: number }
  | { mode: 'off' };

export interface ResilienceModel {
  /** Per attempt (the upstream's timeoutMs). */
  timeoutMs: number;
  /** Whole call: queueing, every attempt and the backoff between them. */
  deadlineMs: number;
  retry: { maxAttempts: number; initialDelayMs: number; maxDelayMs: number };
  breaker: BreakerModel;
  /** The bulkhead: maxInFlight running, `queue` waiting. */
  bulkhead: { maxConcurrent: number; queue: number };
  health: { intervalMs: number; timeoutMs: number; evictAfter: number };
}

function breakerModel(b: NonNullable<ResilienceParsed['breaker']>): BreakerModel {
  const halfOpenAfterMs = b.halfOpenAfterMs ?? 10_000;
  const mode = b.mode ?? 'consecutive';
  if (mode === 'off') return { mode };
  if (mode === 'consecutive') return { mode, failures: b.failures ?? 5, halfOpenAfterMs };
  const window = b.window ?? 20;
  // The window cannot hold more calls than its size (the breaker refuses such a setting).
  return {
    mode,
    ratio: b.ratio ?? 0.5,
    window,
    minimumCalls: Math.min(b.minimumCalls ?? 10, window),
    halfOpenAfterMs,
  };
}

/** One upstream's effective resilience: its own fields, else the top-level ones, else defaults. */
export function upstreamResilience(
  global: ResilienceParsed | undefined,
  own: ResilienceParsed | undefined,
  limits: { timeoutMs: number; maxInFlight: number },
): ResilienceModel {
  const retry = { ...global?.retry, ...own?.retry };
  const health = { ...global?.health, ...own?.health };
  const maxAttempts = retry.maxAttempts ?? 3;
  const maxDelayMs = retry.maxDelayMs ?? 2000;
  return {
    timeoutMs: limits.timeoutMs,
    deadlineMs: own?.deadlineMs ?? global?.deadlineMs ?? limits.timeoutMs * maxAttempts + 1000,
    retry: { maxAttempts, initialDelayMs: retry.initialDelayMs ?? 100, maxDelayMs },
    breaker: breakerModel({ ...global?.breaker, ...own?.breaker }),
    bulkhead: { maxConcurrent: limits.maxInFlight, queue: own?.queue ?? global?.queue ?? 0 },
    health: {
      intervalMs: health.intervalMs ?? 15_000,
      timeoutMs: health.timeoutMs ?? 5000,
      evictAfter: health.evictAfter ?? 3,
    },
  };
}
