/**
 * The request as the transports establish it, and the typed forms later stages receive: each
 * stage adds what it established, and only the stages after it see it.
 */
import type {
  ClientCapabilities,
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
  /** Set by observe when tracing is on: the current span's context (each stage's span nests). */
  trace?: TraceScope;
  /**
   * Who is calling, as the transport established it (verified HTTP credentials, or the
   * configured stdio principal). The identify stage refuses requests without one; stages after it
   * receive an IdentifiedRequest.
   */
  readonly principal: Principal | undefined;
  /** What the stages found out, for the stages outside them that observe (observe, audit). */
  readonly trail: Trail;
}

/** What happened to a request, reported by the stage that established each part. */
export interface Trail {
  /** route: the one target the request is about. */
  target?: RoutedTarget;
  /** authorize: the policy decision for the target. */
  decision?: Decision;
  /** approve: the human approval the call needed (given, or the queued request it waits on). */
  approval?: Approval;
}

export type Approval =
  | {
      readonly state: 'approved';
      readonly by: string;
      readonly fingerprint: string;
      readonly id?: string;
      /** An idempotent tool's identical repeat of a call whose approval was used: no new approval. */
      readonly replay?: true;
    }
  | { readonly state: 'pending'; readonly id: string };

/** The one upstream target of a request, resolved once by route. */
export interface RoutedTarget {
  /** The name the caller used and policy, limits, audit and metrics speak of. */
  readonly name: string;
  readonly upstream: Upstream;
  /** The upstream's own name (or URI, or task id) for it. */
  readonly original: string;
  /** The catalog entry of a tool or prompt. */
  readonly entry?: Routed<unknown>;
  /** For a resource URI: the text of the catalog template that matches it, if any. */
  readonly template?: string;
}

/** After identify: the request has a principal. */
export interface IdentifiedRequest extends GatewayRequest {
  readonly principal: Principal;
}

/**
 * After meta-tools: a call made through the `call_tool` meta-tool has become the call of the real
 * tool (its `params` are the real tool's name and arguments); `via` says it came that way.
 */
export interface UnwrappedRequest extends IdentifiedRequest {
  readonly via: 'call_tool' | undefined;
}

/** After route: the target, for methods about one (lists and discovery have none). */
export interface RoutedRequest extends UnwrappedRequest {
  readonly target: RoutedTarget | undefined;
}

/** After authorize: the decision, and for tools/call the arguments to send (identity injected). */
export interface AuthorizedRequest extends RoutedRequest {
  readonly decision: Decision | undefined;
  readonly upstreamArguments: Record<string, unknown> | undefined;
}

/** After approve: whether (and by whom) the call was approved, when it needed approval. */
export interface ApprovedRequest extends AuthorizedRequest {
  readonly approval: Extract<Approval, { state: 'approved' }> | undefined;
}
