/** The runtime model of `resilience` (see schema-resilience.ts): one upstream's effective setting. */

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
