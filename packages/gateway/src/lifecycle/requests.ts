/**
 * The requests the gateway is handling right now, for a clean shutdown: stop taking new ones
 * (the transports answer 503), let these finish up to a deadline, then cancel the rest through
 * the signal every request runs under (the upstream hears `notifications/cancelled`).
 */

export interface DrainReport {
  /** Requests in flight when the drain began. */
  inFlight: number;
  /** Of those, how many were cancelled at the deadline. */
  cancelled: number;
  ms: number;
}

/** Counts requests being handled; shutdown waits for it to reach zero. */
export interface RequestCounter {
  enter(): void;
  leave(): void;
}

export class InFlightRequests implements RequestCounter {
  private count = 0;
  private readonly idleWaiters = new Set<() => void>();
  private readonly cancel = new AbortController();

  /** Aborted when the drain deadline passes: every request's signal follows it. */
  get shutdown(): AbortSignal {
    return this.cancel.signal;
  }

  get size(): number {
    return this.count;
  }

  enter(): void {
    this.count++;
  }

  leave(): void {
    this.count--;
    if (this.count === 0) for (const wake of [...this.idleWaiters]) wake();
  }

  /** Resolves true once nothing is in flight, or false after `ms`. */
  idle(ms: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(wake);
        resolve(value);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.idleWaiters.add(wake);
    });
  }

  /**
   * Waits up to `deadlineMs` for in-flight requests; then cancels the rest and waits (briefly)
   * for their answers, so every accepted request is answered and audited.
   */
  async drain(deadlineMs: number): Promise<DrainReport> {
    const started = performance.now();
    const inFlight = this.count;
    let cancelled = 0;
    if (!(await this.idle(deadlineMs))) {
      cancelled = this.count;
      this.cancel.abort(new Error('the gateway is shutting down'));
      await this.idle(5000);
    }
    // A request leaves the count when its pipeline is done, a few microtasks before the SDK
    // hands its answer to the transport; the caller closes the transports next, which would
    // drop those answers (a 2026-07-28 request got HTTP 499). One macrotask turn lets every
    // such hand-over finish first.
    await new Promise((resolve) => setImmediate(resolve));
    return { inFlight, cancelled, ms: Math.round(performance.now() - started) };
  }
}
