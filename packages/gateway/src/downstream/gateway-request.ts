/**
 * Builds the transport-neutral GatewayRequest from what any entry knows about a request: the SDK
 * server's handler context (server-factory.ts) or the call lane's own parse (transport/call-lane.ts).
 * One builder, so both entries hand the pipeline exactly the same request.
 */
import { randomUUID } from 'node:crypto';
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  LOG_LEVEL_META_KEY,
  type LoggingLevel,
  type LoggingMessageNotificationParams,
  type ProgressToken,
} from '@modelcontextprotocol/server';
import type { Principal } from '../auth/principal.ts';
import { carrierFrom, type HeaderReader } from '../observability/tracing.ts';
import type { Era, GatewayRequest } from '../pipeline/context.ts';

export interface RequestSource {
  method: string;
  params: Record<string, unknown>;
  era: Era;
  transport: 'http' | 'stdio';
  sessionId: string | undefined;
  /** Aborted when the caller cancels or goes away. */
  signal: AbortSignal;
  /** The 2026-07-28 per-request envelope (`_meta` keys), when the request carried one. */
  envelope: Record<string, unknown> | undefined;
  /** The capabilities the caller declared at `initialize` (2025-era sessions). */
  sessionCapabilities: () => ClientCapabilities | undefined;
  inputResponses: Record<string, unknown> | undefined;
  resumeState: unknown;
  headers: HeaderReader | undefined;
  principal: Principal | undefined;
  /** Sends a notification related to this request to the caller. */
  notify: (notification: { method: 'notifications/progress'; params: Record<string, unknown> }) => void;
  /** Sends a log message related to this request, subject to the caller's log level. */
  log: (params: LoggingMessageNotificationParams) => void;
}

export function progressTokenOf(params: Record<string, unknown>): ProgressToken | undefined {
  const meta = params._meta as Record<string, unknown> | undefined;
  const token = meta?.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}

export function newGatewayRequest(source: RequestSource, shutdown: AbortSignal): GatewayRequest {
  const { params, envelope } = source;
  const progressToken = progressTokenOf(params);
  return {
    id: randomUUID(),
    method: source.method,
    params,
    era: source.era,
    transport: source.transport,
    sessionId: source.sessionId,
    signal: AbortSignal.any([source.signal, shutdown]),
    progressToken,
    downstream: {
      progress: (p) => {
        if (progressToken !== undefined)
          source.notify({ method: 'notifications/progress', params: { ...p, progressToken } });
      },
      log: (p) => source.log(p),
    },
    clientCapabilities:
      (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ??
      source.sessionCapabilities(),
    logLevel: envelope?.[LOG_LEVEL_META_KEY] as LoggingLevel | undefined,
    inputResponses: source.inputResponses,
    resumeState: source.resumeState,
    startedAt: performance.now(),
    traceCarrier: carrierFrom(params._meta as Record<string, unknown> | undefined, source.headers),
    principal: source.principal,
    trail: {},
  };
}
