/**
 * Per-upstream resilience, composed from small AbortSignal-aware cockatiel policies:
 *
 *   deadline ⟶ bulkhead ⟶ retry (only when the call may be repeated) ⟶ breaker ⟶ attempt timeout
 *
 * - the deadline bounds the whole call (queueing, attempts, backoff) and, like the caller's own
 *   cancellation, aborts the signal the upstream request runs under — the SDK then tells the
 *   upstream (`notifications/cancelled`, or the closed HTTP stream of a 2026-07-28 request);
 * - the bulkhead sits outside retry so a retried call keeps its slot, and outside the breaker so
 *   a full queue (our own overload) never counts against the upstream;
 * - retry sits outside the breaker so every attempt is counted and an open circuit ends the
 *   retries at once;
 * - the attempt timeout is innermost, so a slow attempt counts as one failure for the breaker.
 * Only upstream faults (timeouts, broken connections, JSON-RPC internal/server errors) count as
 * failures; a caller's mistake (invalid params, unknown tool) or an `isError` result does not.
 */
import { SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  CircuitState,
  ConsecutiveBreaker,
  CountBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  noop,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import type { ResilienceModel } from '../config/model-resilience.ts';
import { wireErrorEntry } from '../errors/registry.ts';
import { errorCode, wireError } from '../errors/wire.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** What the policies report, for metrics and logs. */
export interface ResilienceEvents {
  breaker(state: BreakerState): void;
  retry(attempt: number, delayMs: number): void;
  timeout(kind: 'attempt' | 'deadline'): void;
  rejected(): void;
}

/** The innermost attempt ran out of time (distinct from a deadline or a caller's cancellation). */
class AttemptTimedOut extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'AttemptTimedOut';
  }
}

/** Whether an error is the upstream's fault: it counts against the breaker and may be retried. */
export function isUpstreamFault(error: unknown): boolean {
  if (error instanceof AttemptTimedOut) return true;
  if (error instanceof TaskCancelledError || error instanceof BrokenCircuitError) return false;
  if (error instanceof BulkheadRejectedError) return false;
  if (error instanceof SdkError) return error.code !== SdkErrorCode.CapabilityNotSupported;
  const code = errorCode(error);
  // The registry says which codes are the server's fault (internal and server errors, a lost
  // session, an upstream failure reported by a gateway in front of it); any other code is a
  // correct answer about the request, not a failing server.
  if (code !== undefined) return wireErrorEntry(code)?.upstreamFault === true;
  return true; // a transport failure (fetch, socket) surfaces as a plain Error
}

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

const NEVER = new AbortController().signal;

/**
 * The SDK's own request timeout, a backstop behind the policies (which abort first): the
 * attempt timeout and deadline above are what callers see.
 */
export function upstreamTimeout(upstream: { model: { resilience: ResilienceModel } }): number {
  return upstream.model.resilience.deadlineMs + 1000;
}

export class UpstreamResilience {
  private readonly name: string;
  private readonly model: ResilienceModel;
  private readonly bulkhead;
  private readonly breaker;
  private readonly attemptTimeout;
  private readonly withRetry: IPolicy;
  private readonly withoutRetry: IPolicy;
  private openedAt = 0;

  constructor(name: string, model: ResilienceModel, events: ResilienceEvents) {
    this.name = name;
    this.model = model;
    const faults = handleWhen(isUpstreamFault);
    // abortOnReturn off: a signal is aborted only when time runs out, never after an answer.
    const strategy = { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false };
    const deadline = timeout(model.deadlineMs, strategy);
    deadline.onTimeout(() => events.timeout('deadline'));
    this.bulkhead = bulkhead(model.bulkhead.maxConcurrent, model.bulkhead.queue);
    this.bulkhead.onReject(() => events.rejected());
    this.breaker = this.createBreaker(faults);
    this.breaker?.onStateChange((state) => {
      if (state === CircuitState.Open) this.openedAt = Date.now();
      events.breaker(STATE_NAMES[state]);
    });
    this.attemptTimeout = timeout(model.timeoutMs, strategy);
    this.attemptTimeout.onTimeout(() => events.timeout('attempt'));
    const retries = retry(faults, {
      maxAttempts: model.retry.maxAttempts - 1,
      backoff: new ExponentialBackoff({
        initialDelay: model.retry.initialDelayMs,
        maxDelay: model.retry.maxDelayMs,
      }),
    });
    retries.onRetry((e) => events.retry(e.attempt, e.delay));
    const breaker = this.breaker ?? noop;
    this.withRetry = wrap(deadline, this.bulkhead, retries, breaker);
    this.withoutRetry = wrap(deadline, this.bulkhead, breaker);
  }

  private createBreaker(faults: ReturnType<typeof handleWhen>) {
    const b = this.model.breaker;
    if (b.mode === 'off') return null;
    const breaker =
      b.mode === 'consecutive'
        ? new ConsecutiveBreaker(b.failures)
        : new CountBreaker({ threshold: b.ratio, size: b.window, minimumNumberOfCalls: b.minimumCalls });
    return circuitBreaker(faults, { halfOpenAfter: b.halfOpenAfterMs, breaker });
  }

  get breakerState(): BreakerState {
    return this.breaker ? STATE_NAMES[this.breaker.state] : 'closed';
  }

  /** Calls running and calls waiting in the bulkhead. */
  get load(): { active: number; queued: number } {
    return {
      active: this.model.bulkhead.maxConcurrent - this.bulkhead.executionSlots,
      queued: this.model.bulkhead.queue - this.bulkhead.queueSlots,
    };
  }

  /**
   * Runs one upstream call under the policies. `fn` gets the signal to send the request under;
   * `retryable` says the call may safely be repeated (read-only or idempotent).
   */
  async run<T>(
    fn: (signal: AbortSignal) => Promise<T>,
    options: { retryable: boolean; signal?: AbortSignal | undefined },
  ): Promise<T> {
    const caller = options.signal ?? NEVER;
    const policy = options.retryable ? this.withRetry : this.withoutRetry;
    try {
      return (await policy.execute(({ signal }) => this.attempt(fn, signal), caller)) as T;
    } catch (error) {
      throw this.explain(error, caller);
    }
  }

  private async attempt<T>(fn: (signal: AbortSignal) => Promise<T>, outer: AbortSignal): Promise<T> {
    let attemptSignal: AbortSignal | undefined;
    try {
      return await this.attemptTimeout.execute(({ signal }) => {
        attemptSignal = signal;
        return fn(signal);
      }, outer);
    } catch (error) {
      // Aborted from outside (deadline, caller): not this attempt's failure, not the upstream's.
      if (outer.aborted) throw new TaskCancelledError('cancelled');
      // The request may reject with its own abort error before the policy reports the timeout.
      if (error instanceof TaskCancelledError || attemptSignal?.aborted) {
        throw new AttemptTimedOut(this.model.timeoutMs);
      }
      throw error;
    }
  }

  /** Turns a policy's refusal into the wire error a client (and a model) can act on. */
  private explain(error: unknown, caller: AbortSignal): unknown {
    const upstream = this.name;
    if (error instanceof BrokenCircuitError) {
      const halfOpen = this.model.breaker.mode === 'off' ? 0 : this.model.breaker.halfOpenAfterMs;
      const retryAfterSeconds = Math.max(1, Math.ceil((this.openedAt + halfOpen - Date.now()) / 1000));
      return wireError(
        'CircuitOpen',
        `upstream "${upstream}" is failing and is not being called for now; retry after ${retryAfterSeconds} s`,
        { upstream, reason: 'circuit_open', retryAfterSeconds },
      );
    }
    if (error instanceof BulkheadRejectedError) {
      const { maxConcurrent, queue } = this.model.bulkhead;
      return wireError(
        'UpstreamOverloaded',
        `upstream "${upstream}" is busy (${maxConcurrent} calls running, ${queue} waiting); retry after 1 s`,
        { upstream, reason: 'overloaded', retryAfterSeconds: 1 },
      );
    }
    if (error instanceof AttemptTimedOut) {
      return wireError(
        'UpstreamTimeout',
        `upstream "${upstream}" did not answer within ${this.model.timeoutMs} ms`,
        { upstream, reason: 'timeout', timeoutMs: this.model.timeoutMs },
      );
    }
    if (error instanceof TaskCancelledError) {
      if (caller.aborted) {
        return wireError('Cancelled', `the call to upstream "${upstream}" was cancelled`, {
          upstream,
          reason: 'cancelled',
        });
      }
      return wireError(
        'UpstreamTimeout',
        `upstream "${upstream}" did not finish within the ${this.model.deadlineMs} ms deadline`,
        { upstream, reason: 'deadline', deadlineMs: this.model.deadlineMs },
      );
    }
    return error;
  }
}
