/** The request context every pipeline stage reads and writes. */
import type {
  ClientCapabilities,
  InputRequests,
  LoggingLevel,
  LoggingMessageNotificationParams,
  ProgressToken,
} from '@modelcontextprotocol/server';
import type { Principal } from '../auth/principal.ts';
import type { Routed } from '../catalog/catalog.ts';
import type { TraceCarrier, TraceScope } from '../observability/tracing.ts';
import type { Decision } from '../policy/decide.ts';
import type { Upstream } from '../upstream/upstream.ts';

export type Era = 'legacy' | 'modern';

/** What the pipeline can send back to the calling client while a request runs. */
export interface DownstreamChannel {
  progress(params: { progress: number; total?: number; message?: string }): void;
  log(params: LoggingMessageNotificationParams): void;
}

export interface GatewayRequest {
  /** Correlation id for logs. */
  readonly id: string;
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly era: Era;
  readonly transport: 'http' | 'stdio';
  readonly sessionId: string | undefined;
  readonly signal: AbortSignal;
  readonly progressToken: ProgressToken | undefined;
  readonly downstream: DownstreamChannel;
  /** Multi-round-trip answers carried by a retried request. */
  readonly inputResponses: Record<string, unknown> | undefined;
  /** What the calling client declared it can do (its session's, or this request's envelope). */
  readonly clientCapabilities: ClientCapabilities | undefined;
  /**
   * The log level the client asked for on this request (2026-07-28 envelope); undefined for
   * 2025-era sessions, whose level the SDK applies when relaying.
   */
  readonly logLevel: LoggingLevel | undefined;
  /** Verified gateway requestState from a previous round, if any. */
  readonly resumeState: unknown;
  readonly startedAt: number;
  /** The caller's W3C trace context (HTTP headers or `_meta.traceparent`), if it sent one. */
  readonly traceCarrier: TraceCarrier;
  /** Set by observe when tracing is on: the current span's context. */
  trace?: TraceScope;
  /**
   * Who is calling, as the transport established it (verified HTTP credentials, or the
   * configured stdio principal). The identify stage refuses requests without one.
   */
  readonly principal: Principal | undefined;
  /** Set by the authorize stage: the policy decision for the target. */
  decision?: Decision;
  /** Set by the authorize stage for tools/call: the arguments to send, identity injected. */
  upstreamArguments?: Record<string, unknown>;
  /**
   * Set by the approve stage when the call needed a human approval: who gave it, or the queued
   * request it is waiting on.
   */
  approval?:
    | { state: 'approved'; by: string; fingerprint: string; id?: string }
    | { state: 'pending'; id: string };
  /** Set by the route stage for methods that target one upstream. */
  target?: {
    upstream: Upstream;
    original: string;
    entry?: Routed<unknown>;
    /** For a resource URI: the text of the catalog template that matches it, if any. */
    template?: string;
  };
  /** Set by the terminal stage (or a stage that answers early). */
  result?: Record<string, unknown>;
  /** Input the upstream needs before the request can complete (2026-07-28 input_required). */
  inputRequired?: { inputRequests: InputRequests; requestState: unknown };
  outcome?: 'ok' | 'error' | 'input_required';
  /**
   * The error the request failed with — also when a stage turned it into an answer a model can
   * act on (an `isError` tool result), so logs and metrics still see the failure.
   */
  error?: unknown;
}
