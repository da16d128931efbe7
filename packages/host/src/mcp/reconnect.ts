/**
 * How a dropped connection is re-made: a cockatiel retry policy with exponential backoff (with
 * jitter), unbounded by default, cancelled by the connection's own signal when it is closed.
 */
import { ExponentialBackoff, handleAll, type RetryPolicy, retry } from 'cockatiel';

export interface ReconnectOptions {
  /** First delay after a drop (default 250 ms); doubles per failed attempt. */
  initialDelayMs?: number;
  /** Longest delay between attempts (default 30 s). */
  maxDelayMs?: number;
  /** Attempts before giving up on the server (default: never give up). */
  maxAttempts?: number;
}

export function reconnectPolicy(options: ReconnectOptions = {}): RetryPolicy {
  return retry(handleAll, {
    maxAttempts: options.maxAttempts ?? Number.POSITIVE_INFINITY,
    backoff: new ExponentialBackoff({
      initialDelay: options.initialDelayMs ?? 250,
      maxDelay: options.maxDelayMs ?? 30_000,
    }),
  });
}
