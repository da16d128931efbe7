/**
 * 2025-era Streamable HTTP sessions (2025-11-25, 2025-06-18, 2025-03-26): an SDK transport and a
 * downstream server per session, created by `initialize`, found by `Mcp-Session-Id`, ended by
 * DELETE or by idling out. Resumable SSE through a per-session event store.
 */
import { randomUUID } from 'node:crypto';
import {
  type AuthInfo,
  isInitializeRequest,
  type McpServer,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import type { Principal } from '../auth/principal.ts';
import type { Gateway } from '../gateway.ts';
import type { Logger } from '../observability/logger.ts';
import { batchOnVersionWithout, initializeInBatch, LAST_BATCHING_VERSION } from './batch-rules.ts';
import { MemoryEventStore } from './event-store.ts';
import { jsonRpcError } from './responses.ts';

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  lastSeen: number;
  /** The principal that opened the session; nobody else may use it. */
  principalId: string;
  /**
   * Calls of this session running on the call lane, by JSON-RPC id (for notifications/cancelled);
   * made on the first such call, so that an idle session costs nothing for it.
   */
  laneCalls?: Map<string | number, AbortController>;
}

/** What the call lane needs of a 2025-era session. */
export interface LaneSession {
  readonly id: string;
  readonly server: McpServer;
  readonly laneCalls: Map<string | number, AbortController>;
}

export interface LegacySessionOptions {
  idleMs: number;
  maxSessions: number;
  maxBodyBytes: number;
  retryIntervalMs?: number;
}

export class LegacySessions {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly gateway: Gateway;
  private readonly options: LegacySessionOptions;
  private readonly log: Logger;

  constructor(gateway: Gateway, options: LegacySessionOptions, log: Logger) {
    this.gateway = gateway;
    this.options = options;
    this.log = log;
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, options.idleMs)).unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  async handle(
    request: Request,
    parsedBody: unknown,
    principal: Principal,
    authInfo: AuthInfo,
  ): Promise<Response> {
    const initializeBatch = initializeInBatch(parsedBody);
    if (initializeBatch !== undefined) return jsonRpcError(400, 'InvalidRequest', initializeBatch);
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId !== null) {
      const session = this.sessions.get(sessionId);
      // Another principal's session is answered exactly like an unknown one.
      if (!session || session.principalId !== principal.id)
        return jsonRpcError(
          404,
          'SessionNotFound',
          'Session not found: it is unknown or has ended; initialize a new one',
        );
      session.lastSeen = Date.now();
      const batch = batchOnVersionWithout(parsedBody, negotiatedVersion(session, request));
      if (batch !== undefined) return jsonRpcError(400, 'InvalidRequest', batch);
      cancelLaneCall(session, parsedBody);
      return session.transport.handleRequest(request, { parsedBody, authInfo });
    }
    if (request.method === 'POST' && isInitializeRequest(parsedBody)) {
      return this.open(request, parsedBody, principal, authInfo);
    }
    return jsonRpcError(
      400,
      'InvalidRequest',
      'Bad Request: Mcp-Session-Id header is required (initialize first)',
    );
  }

  /** The session a call-lane request names, when it exists and belongs to `principalId`. */
  laneSession(id: string, principalId: string): LaneSession | undefined {
    const session = this.sessions.get(id);
    if (session === undefined || session.principalId !== principalId) return undefined;
    session.lastSeen = Date.now();
    session.laneCalls ??= new Map();
    return { id, server: session.server, laneCalls: session.laneCalls };
  }

  private async open(
    request: Request,
    parsedBody: unknown,
    principal: Principal,
    authInfo: AuthInfo,
  ): Promise<Response> {
    if (this.sessions.size >= this.options.maxSessions) {
      return jsonRpcError(503, 'InternalError', 'Service Unavailable: too many open sessions; retry later');
    }
    const server = this.gateway.createServer({ era: 'legacy', transport: 'http' });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: new MemoryEventStore(),
      retryInterval: this.options.retryIntervalMs ?? 1000,
      maxRequestBodySize: this.options.maxBodyBytes,
      onsessioninitialized: (id) => {
        this.sessions.set(id, {
          transport,
          server,
          lastSeen: Date.now(),
          principalId: principal.id,
        });
        this.gateway.fanout.addSession(id, server.server);
        this.log.debug({ session: id }, 'session opened');
      },
      onsessionclosed: (id) => this.forget(id),
    });
    transport.onclose = () => {
      if (transport.sessionId) this.forget(transport.sessionId);
    };
    await server.connect(transport);
    return transport.handleRequest(request, { parsedBody, authInfo });
  }

  private forget(id: string): void {
    if (!this.sessions.delete(id)) return;
    this.gateway.fanout.removeSession(id);
    void this.gateway.subscriptions.dropSession(id);
    this.log.debug({ session: id }, 'session closed');
  }

  private sweep(): void {
    const cutoff = Date.now() - this.options.idleMs;
    for (const [id, session] of this.sessions) {
      if (session.lastSeen < cutoff) {
        this.forget(id);
        void session.server.close().catch(() => {});
      }
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.sessions.entries()];
    for (const [id] of all) this.forget(id);
    await Promise.all(all.map(([, s]) => s.server.close().catch(() => {})));
  }
}

/**
 * The protocol version the session's initialize negotiated; before that answer exists, what the
 * request's MCP-Protocol-Version header says, else 2025-03-26 (what the spec says to assume).
 */
function negotiatedVersion(session: Session, request: Request): string {
  return (
    session.server.server.getNegotiatedProtocolVersion() ??
    request.headers.get('mcp-protocol-version') ??
    LAST_BATCHING_VERSION
  );
}

/** A posted notifications/cancelled for a call on the lane aborts it (the SDK never saw that call). */
function cancelLaneCall(session: Session, body: unknown): void {
  if (session.laneCalls === undefined || session.laneCalls.size === 0) return;
  for (const message of Array.isArray(body) ? body : [body]) {
    const m = message as { method?: unknown; params?: { requestId?: unknown } } | null;
    if (m?.method !== 'notifications/cancelled') continue;
    const id = m.params?.requestId;
    if (typeof id === 'string' || typeof id === 'number') session.laneCalls.get(id)?.abort();
  }
}
