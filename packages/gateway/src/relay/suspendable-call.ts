/**
 * A call to a 2025-era upstream that may stop to ask the user something (elicitation, sampling,
 * roots) part-way through. The gateway answers every client in the 2026-07-28 style — it returns
 * `input_required` and the client retries with the answers — so the upstream call is kept open
 * here between rounds, and each question it asks is parked until the answer arrives.
 * (For 2025-era clients the SDK's legacy shim turns the same `input_required` into a real
 * server→client request on the session, so one code path serves both eras.)
 */
import { randomUUID } from 'node:crypto';
import type { InputRequests, LoggingMessageNotificationParams } from '@modelcontextprotocol/server';
import type { DownstreamChannel } from '../pipeline/context.ts';
import type { CallChannel, ServerRequestMethod } from '../upstream/upstream.ts';

interface Question {
  key: string;
  method: ServerRequestMethod;
  params: Record<string, unknown>;
  resolve(value: Record<string, unknown>): void;
  reject(error: unknown): void;
}

export type RoundOutcome =
  | { kind: 'result'; result: Record<string, unknown> }
  | { kind: 'error'; error: unknown }
  | { kind: 'input'; inputRequests: InputRequests };

export class SuspendableCall implements CallChannel {
  readonly id = randomUUID();
  readonly controller = new AbortController();
  private readonly pending = new Map<string, Question>();
  private asked: Question[] = [];
  private settled: RoundOutcome | null = null;
  private wake: (() => void) | null = null;
  private downstream: DownstreamChannel | null = null;
  private counter = 0;

  /** Starts the upstream call; `run` receives this call as its channel and the abort signal. */
  start(run: (channel: CallChannel, signal: AbortSignal) => Promise<Record<string, unknown>>): void {
    run(this, this.controller.signal).then(
      (result) => this.settle({ kind: 'result', result }),
      (error: unknown) => this.settle({ kind: 'error', error }),
    );
  }

  private settle(outcome: RoundOutcome): void {
    this.settled = outcome;
    for (const q of this.pending.values()) q.reject(new Error('call finished'));
    this.pending.clear();
    this.wake?.();
  }

  request(method: ServerRequestMethod, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const key = `${method === 'elicitation/create' ? 'elicit' : method === 'roots/list' ? 'roots' : 'sample'}-${++this.counter}`;
      const question: Question = { key, method, params, resolve, reject };
      this.pending.set(key, question);
      this.asked.push(question);
      this.wake?.();
    });
  }

  log(params: LoggingMessageNotificationParams): void {
    this.downstream?.log(params);
  }

  progress(params: { progress: number; total?: number; message?: string }): void {
    this.downstream?.progress(params);
  }

  /** Delivers answers from a retried client request to the questions they answer. */
  answer(responses: Record<string, unknown> | undefined): void {
    for (const [key, value] of Object.entries(responses ?? {})) {
      const question = this.pending.get(key);
      if (!question) continue;
      this.pending.delete(key);
      question.resolve((value ?? {}) as Record<string, unknown>);
    }
  }

  /**
   * Waits until the upstream call finishes or asks something new, relaying progress and logs to
   * `downstream` meanwhile. Aborting `signal` cancels the upstream call.
   */
  async nextRound(downstream: DownstreamChannel, signal: AbortSignal): Promise<RoundOutcome> {
    this.downstream = downstream;
    const onAbort = () => this.controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (this.settled === null && this.asked.length === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
      }
      if (this.settled !== null) return this.settled;
      const inputRequests: InputRequests = {};
      for (const q of this.asked) {
        (inputRequests as Record<string, unknown>)[q.key] = { method: q.method, params: q.params };
      }
      this.asked = [];
      return { kind: 'input', inputRequests };
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.downstream = null;
    }
  }

  cancel(reason: string): void {
    this.controller.abort(new Error(reason));
  }
}

/** Suspended calls waiting for their client to come back with answers, expiring after `ttlMs`. */
export class SuspendedCalls {
  private readonly calls = new Map<string, { call: SuspendableCall; timer: NodeJS.Timeout }>();
  private readonly ttlMs: number;

  constructor(ttlMs = 10 * 60_000) {
    this.ttlMs = ttlMs;
  }

  park(call: SuspendableCall): void {
    const timer = setTimeout(() => {
      this.calls.delete(call.id);
      call.cancel('no answer from the client in time');
    }, this.ttlMs);
    timer.unref();
    this.calls.set(call.id, { call, timer });
  }

  take(id: string): SuspendableCall | undefined {
    const entry = this.calls.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.calls.delete(id);
    return entry.call;
  }

  get size(): number {
    return this.calls.size;
  }

  closeAll(): void {
    for (const { call, timer } of this.calls.values()) {
      clearTimeout(timer);
      call.cancel('gateway shutting down');
    }
    this.calls.clear();
  }
}
