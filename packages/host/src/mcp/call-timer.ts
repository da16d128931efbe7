/**
 * A call's time limit: a signal that aborts when the caller aborts or when `timeoutMs` passes
 * without an answer. It stops while the person is being asked (their thinking time is not the
 * server's) and starts over on each progress notification (the server is alive and working).
 */
export class CallTimer {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private paused = 0;
  timedOut = false;
  private readonly timeoutMs: number;
  private readonly caller: AbortSignal;

  constructor(timeoutMs: number, caller: AbortSignal) {
    this.timeoutMs = timeoutMs;
    this.caller = caller;
    if (caller.aborted) this.controller.abort(caller.reason);
    else caller.addEventListener('abort', this.onCallerAbort, { once: true });
    this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private readonly onCallerAbort = () => this.controller.abort(this.caller.reason);

  private arm(): void {
    clearTimeout(this.timer);
    if (this.paused > 0 || this.controller.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error(`no answer within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
  }

  pause(): void {
    this.paused++;
    clearTimeout(this.timer);
  }

  resume(): void {
    this.paused = Math.max(0, this.paused - 1);
    this.arm();
  }

  restart(): void {
    this.arm();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.caller.removeEventListener('abort', this.onCallerAbort);
  }
}
