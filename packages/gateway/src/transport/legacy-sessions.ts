/**
 * 2025-era Streamable HTTP sessions (2025-11-25, 2025-06-18, 2025-03-26) of the gateway: the
 * shared `SessionManager` (@gatehouse/sessions: open on `initialize`, `Mcp-Session-Id` lookup,
 * DELETE, idle expiry, the cap, resumable SSE) with one downstream server per session, bound to
 * the principal that opened it, and registered for list_changed fan-out and subscriptions.
 */
import { type SessionBus, SessionManager, type SessionRecordStore } from '@gatehouse/sessions';
import type { AuthInfo, ClientCapabilities, LoggingLevel } from '@modelcontextprotocol/server';
import type { Principal } from '../auth/principal.ts';
import type { Gateway } from '../gateway.ts';
import type { Logger } from '../observability/logger.ts';

/**
 * The gateway's own state of a session: its calls running on the call lane, by JSON-RPC id (for
 * notifications/cancelled); made on the first such call, so that an idle session costs nothing.
 */
interface LaneState {
  laneCalls?: Map<string | number, AbortController>;
}

/** What the call lane needs of a 2025-era session. */
export interface LaneSession {
  readonly id: string;
  readonly laneCalls: Map<string | number, AbortController>;
  /**
   * The client declared it can be asked back (elicitation, sampling, roots): its calls may need
   * the SDK's exchange of server-to-client requests on an SSE stream, so they take the SDK path.
   */
  readonly asksBack: boolean;
  /** The capabilities the client declared at initialize. */
  capabilities(): ClientCapabilities | undefined;
  /** Whether a log message at `level` is below the level the client set (logging/setLevel). */
  ignoresLog(level: LoggingLevel): boolean;
}

export interface LegacySessionOptions {
  idleMs: number;
  maxSessions: number;
  maxBodyBytes: number;
  retryIntervalMs?: number;
  /** Shared session records (storage.postgres), so any replica serves any session; default in memory. */
  records?: SessionRecordStore;
  /** With shared records: how the replicas pass on client answers and ended sessions. */
  bus?: SessionBus;
}

export class LegacySessions {
  private readonly manager: SessionManager<LaneState>;
  /**
   * The principal behind each owner id with a session open or a request running (the latest that
   * called), with how many of each: list_changed fan-out compares what that caller sees.
   */
  private readonly owners = new Map<string, { principal: Principal; sessions: number; requests: number }>();

  constructor(gateway: Gateway, options: LegacySessionOptions, log: Logger) {
    this.manager = new SessionManager<LaneState>({
      open: () => ({ server: gateway.createServer({ era: 'legacy', transport: 'http' }), state: {} }),
      idleMs: options.idleMs,
      maxSessions: options.maxSessions,
      maxBodyBytes: options.maxBodyBytes,
      retryIntervalMs: options.retryIntervalMs,
      ...(options.records === undefined ? {} : { records: options.records }),
      ...(options.bus === undefined ? {} : { bus: options.bus }),
      onOpened: (session) => {
        const owner = session.owner === undefined ? undefined : this.owners.get(session.owner);
        if (owner !== undefined) owner.sessions++;
        gateway.fanout.addSession(session.id, session.server.server, () =>
          session.owner === undefined ? undefined : this.owners.get(session.owner)?.principal,
        );
        log.debug({ session: session.id }, 'session opened');
      },
      onClosed: ({ id, owner }) => {
        gateway.fanout.removeSession(id);
        const known = owner === undefined ? undefined : this.owners.get(owner);
        if (known !== undefined) known.sessions--;
        if (owner !== undefined) this.forgetIdle(owner);
        void gateway.subscriptions.dropSession(id);
        log.debug({ session: id }, 'session closed');
      },
      onRequest: (session, body) => cancelLaneCall(session.state, body),
      onError: (error) => log.debug({ err: error.message }, 'session error'),
    });
  }

  get size(): number {
    return this.manager.size;
  }

  async handle(
    request: Request,
    parsedBody: unknown,
    principal: Principal,
    authInfo: AuthInfo,
  ): Promise<Response> {
    const known = this.owners.get(principal.id) ?? { principal, sessions: 0, requests: 0 };
    known.principal = principal;
    known.requests++;
    this.owners.set(principal.id, known);
    try {
      return await this.manager.handle(request, { parsedBody, authInfo, owner: principal.id });
    } finally {
      known.requests--;
      this.forgetIdle(principal.id);
    }
  }

  /** An owner with no session open and no request running leaves nothing behind. */
  private forgetIdle(owner: string): void {
    const known = this.owners.get(owner);
    if (known !== undefined && known.sessions <= 0 && known.requests <= 0) this.owners.delete(owner);
  }

  /** The session a call-lane request names, when it exists and belongs to `principalId`. */
  laneSession(id: string, principalId: string): LaneSession | undefined {
    const session = this.manager.live(id, principalId);
    if (session === undefined) return undefined;
    session.state.laneCalls ??= new Map();
    const server = session.server.server;
    const capabilities = server.getClientCapabilities();
    return {
      id,
      laneCalls: session.state.laneCalls,
      asksBack:
        capabilities?.elicitation !== undefined ||
        capabilities?.sampling !== undefined ||
        capabilities?.roots !== undefined,
      capabilities: () => server.getClientCapabilities(),
      ignoresLog: (level) => ignoredBySession(server, level, id),
    };
  }

  closeAll(): Promise<void> {
    return this.manager.closeAll();
  }
}

/** A posted notifications/cancelled for a call on the lane aborts it (the SDK never saw that call). */
function cancelLaneCall(state: LaneState, body: unknown): void {
  if (state.laneCalls === undefined || state.laneCalls.size === 0) return;
  for (const message of Array.isArray(body) ? body : [body]) {
    const m = message as { method?: unknown; params?: { requestId?: unknown } } | null;
    if (m?.method !== 'notifications/cancelled') continue;
    const id = m.params?.requestId;
    if (typeof id === 'string' || typeof id === 'number') state.laneCalls.get(id)?.abort();
  }
}

/**
 * Whether the session's log level (logging/setLevel, which the SDK keeps per session) filters out
 * a message at `level`. The SDK's check is not part of its typed surface, so it is looked up
 * here, in one place; test/call-lane.test.ts pins that the lane filters exactly as the SDK path.
 */
function ignoredBySession(server: object, level: LoggingLevel, sessionId: string): boolean {
  const check = (server as { isMessageIgnored?: (level: LoggingLevel, sessionId?: string) => boolean })
    .isMessageIgnored;
  return typeof check === 'function' ? check.call(server, level, sessionId) : false;
}
