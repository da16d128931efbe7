/**
 * normalize() for `resilience`: one upstream's effective setting, field by field from its own
 * `resilience`, else the top-level one, else RESILIENCE_DEFAULTS. Pure.
 */
import type { BreakerModel, ResilienceModel } from './model-resilience.ts';
import { RESILIENCE_DEFAULTS, type ResilienceParsed } from './schema-resilience.ts';

function breakerModel(b: NonNullable<ResilienceParsed['breaker']>): BreakerModel {
  const defaults = RESILIENCE_DEFAULTS.breaker;
  const halfOpenAfterMs = b.halfOpenAfterMs ?? defaults.halfOpenAfterMs;
  const mode = b.mode ?? defaults.mode;
  if (mode === 'off') return { mode };
  if (mode === 'consecutive') return { mode, failures: b.failures ?? defaults.failures, halfOpenAfterMs };
  const window = b.window ?? defaults.window;
  // The window cannot hold more calls than its size (the breaker refuses such a setting).
  return {
    mode,
    ratio: b.ratio ?? defaults.ratio,
    window,
    minimumCalls: Math.min(b.minimumCalls ?? defaults.minimumCalls, window),
    halfOpenAfterMs,
  };
}

/** One upstream's effective resilience: its own fields, else the top-level ones, else defaults. */
export function upstreamResilience(
  global: ResilienceParsed | undefined,
  own: ResilienceParsed | undefined,
  limits: { timeoutMs: number; maxInFlight: number },
): ResilienceModel {
  const defaults = RESILIENCE_DEFAULTS;
  const retry = { ...global?.retry, ...own?.retry };
  const health = { ...global?.health, ...own?.health };
  const maxAttempts = retry.maxAttempts ?? defaults.retry.maxAttempts;
  return {
    timeoutMs: limits.timeoutMs,
    deadlineMs:
      own?.deadlineMs ?? global?.deadlineMs ?? limits.timeoutMs * maxAttempts + defaults.deadlineSlackMs,
    retry: {
      maxAttempts,
      initialDelayMs: retry.initialDelayMs ?? defaults.retry.initialDelayMs,
      maxDelayMs: retry.maxDelayMs ?? defaults.retry.maxDelayMs,
    },
    breaker: breakerModel({ ...global?.breaker, ...own?.breaker }),
    bulkhead: { maxConcurrent: limits.maxInFlight, queue: own?.queue ?? global?.queue ?? defaults.queue },
    health: {
      intervalMs: health.intervalMs ?? defaults.health.intervalMs,
      timeoutMs: health.timeoutMs ?? defaults.health.timeoutMs,
      evictAfter: health.evictAfter ?? defaults.health.evictAfter,
    },
  };
}
