/**
 * The calls in flight on one connection, so that a question a 2025-era server asks during a call
 * (`elicitation/create`) reaches the person through that call's `ask`. The protocol does not say
 * which call a server request belongs to; over HTTP it arrives on the call's own response stream,
 * which runs in the call's async context (AsyncLocalStorage finds it). Otherwise (stdio) it is
 * the only call in flight, or — several being in flight — the oldest one, with the question
 * naming every tool that was running.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallToolOptions } from '../contract.ts';

export interface InFlightCall {
  /** The registry name of the tool. */
  tool: string;
  ask: CallToolOptions['ask'];
  /** The call's timer stops while the person is asked. */
  pause(): void;
  resume(): void;
}

export class InFlightCalls {
  private readonly calls = new Set<InFlightCall>();
  private readonly context = new AsyncLocalStorage<InFlightCall>();

  run<T>(call: InFlightCall, fn: () => Promise<T>): Promise<T> {
    this.calls.add(call);
    return this.context.run(call, fn).finally(() => this.calls.delete(call));
  }

  /** The call a server's question is about, and the tool name(s) to show; undefined when none runs. */
  attribute(): { call: InFlightCall; tool: string } | undefined {
    const own = this.context.getStore();
    if (own !== undefined && this.calls.has(own)) return { call: own, tool: own.tool };
    const [oldest] = this.calls;
    if (oldest === undefined) return undefined;
    const tool = this.calls.size === 1 ? oldest.tool : [...this.calls].map((c) => c.tool).join(', ');
    return { call: oldest, tool };
  }
}
