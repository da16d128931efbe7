/** The types an upstream's users see: its states, hooks, signals and how a call runs on it. */

import type { ListKind } from '@gatehouse/client-edge';
import type { Client, LoggingMessageNotificationParams } from '@modelcontextprotocol/client';
import type { TraceCarrier, TraceScope } from '../observability/tracing.ts';
import type { BreakerState } from './resilience.ts';
import type { Upstream } from './upstream.ts';

export type UpstreamState = 'idle' | 'connecting' | 'ready' | 'evicted' | 'backoff' | 'failed' | 'stopped';
export type ServerRequestMethod = 'elicitation/create' | 'sampling/createMessage' | 'roots/list';

/** What an in-flight call offers for things the upstream sends back during it. */
export interface CallChannel {
  request(method: ServerRequestMethod, params: Record<string, unknown>): Promise<Record<string, unknown>>;
  log(params: LoggingMessageNotificationParams): void;
}

export interface UpstreamHooks {
  /**
   * The upstream's snapshot changed: it (re)connected, went away, or — `announced` — it said
   * that list changed and has been re-listed.
   */
  onCatalog(upstream: Upstream, announced?: ListKind): void;
  onResourceUpdated(upstream: Upstream, uri: string): void;
  onStateChange(upstream: Upstream, state: UpstreamState): void;
  /** Resilience and lifecycle events, for metrics and logs. */
  onSignal(upstream: Upstream, signal: UpstreamSignal): void;
}

export type UpstreamSignal =
  | { kind: 'breaker'; state: BreakerState }
  | { kind: 'retry'; attempt: number; delayMs: number }
  | { kind: 'timeout'; which: 'attempt' | 'deadline' }
  | { kind: 'rejected' }
  | { kind: 'restart' }
  | { kind: 'evicted'; reason: string };

/** How one call runs: its caller's signal, whether it may be repeated, and its channel back. */
export interface UseOptions {
  /** The caller's cancellation; aborting it cancels the upstream request. */
  signal?: AbortSignal | undefined;
  /** The call is read-only or idempotent, so a failed attempt may be retried. */
  retryable?: boolean;
  /** Receives what the upstream sends back during the call (elicitation, sampling, roots, logs). */
  channel?: CallChannel | undefined;
  /** The caller's trace: each attempt gets a client span under it. */
  trace?: TraceScope | undefined;
  /** Names the attempt spans (the MCP method sent). */
  method?: string;
}

/** Sends one attempt: under `signal`, carrying `carrier` (the attempt span's trace context). */
export type Attempt<T> = (client: Client, signal: AbortSignal, carrier: TraceCarrier) => Promise<T>;
