/**
 * 2025-era Streamable HTTP sessions (2025-11-25, 2025-06-18, 2025-03-26): an SDK transport and an
 * MCP server per session, opened by `initialize`, found by `Mcp-Session-Id`, ended by DELETE, by
 * idling out or by `closeAll()`. Each session's SSE streams are resumable (`Last-Event-ID`)
 * through its own bounded event store. At most `maxSessions` are open; one more `initialize` is
 * refused with 503 while the open ones keep being served.
 *
 * The SDK's `WebStandardStreamableHTTPServerTransport` does the protocol (headers, SSE, DELETE,
 * resumption); this class only keeps the sessions.
 */
import { randomUUID } from 'node:crypto';
import {
  type AuthInfo,
  type EventStore,
  isInitializeRequest,
  type McpServer,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { batchOnVersionWithout, initializeInBatch, LAST_BATCHING_VERSION } from './batch-rules.ts';
import { BoundedEventStore } from './event-store.ts';
import { MemorySessionRecords, type SessionRecordStore } from './record-store.ts';
import { invalidBatch, notJson, sessionIdRequired, sessionNotFound, tooManySessions } from './responses.ts';

/** What the application builds for a new session: its server, and any state of its own. */
export interface OpenedSession<State> {
  server: McpServer;
  state: State;
}

export interface LiveSession<State> {
  readonly id: string;
  readonly owner: string | undefined;
  readonly server: McpServer;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly state: State;
  lastSeenAt: number;
}

export interface SessionManagerOptions<State> {
  /** Builds the server (and state) of a session being opened by `request`. */
  open(request: Request): OpenedSession<State>;
  /** Sessions unused for this long end (default 30 minutes). */
  idleMs?: number;
  /** At most this many open sessions (default 10 000). */
  maxSessions?: number;
  /** Passed to the SDK transport (its own default when unset). */
  maxBodyBytes?: number;
  /** `retry:` interval (ms) sent in SSE priming events (default 1000). */
  retryIntervalMs?: number;
  /** A fresh event store per session (default: a {@link BoundedEventStore}). */
  eventStore?: () => EventStore;
  /** Where session records are kept (default: in memory). */
  records?: SessionRecordStore;
  onOpened?(session: LiveSession<State>): void;
  onClosed?(session: LiveSession<State>): void;
  /** Sees each request to an existing session before the SDK transport does. */
  onRequest?(session: LiveSession<State>, parsedBody: unknown): void;
  /** Out-of-band errors: transport errors, a record store that failed, a server that failed to close. */
  onError?(error: Error): void;
}

export interface HandleOptions {
  /** The POST body when the caller already parsed it; read from the request otherwise. */
  parsedBody?: unknown;
  authInfo?: AuthInfo;
  /** Who is calling: a session answers only the owner that opened it (others get 404). */
  owner?: string;
}

const DEFAULT_IDLE_MS = 30 * 60_000;
const DEFAULT_MAX_SESSIONS = 10_000;

export class SessionManager<State = undefined> {
  private readonly sessions = new Map<string, LiveSession<State>>();
  /** Sessions whose `initialize` is being answered: they count against the cap already. */
  private opening = 0;
  private lastSweepAt = Date.now();
  private readonly sweeper: NodeJS.Timeout;
  private readonly options: SessionManagerOptions<State>;
  private readonly records: SessionRecordStore;
  private readonly idleMs: number;
  private readonly maxSessions: number;

  constructor(options: SessionManagerOptions<State>) {
    this.options = options;
    this.records = options.records ?? new MemorySessionRecords();
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, this.idleMs)).unref();
  }

  /** How many sessions are open. */
  get size(): number {
    return this.sessions.size;
  }

  /**
   * The open session `id` when it belongs to `owner`, marked as used now. The lookup the call
   * lane makes per request: one map read, no I/O.
   */
  live(id: string, owner: string | undefined): LiveSession<State> | undefined {
    const session = this.sessions.get(id);
    if (session === undefined || session.owner !== owner) return undefined;
    session.lastSeenAt = Date.now();
    return session;
  }

  /** Answers one 2025-era request: opens, serves or ends a session, or refuses the request. */
  async handle(request: Request, options: HandleOptions = {}): Promise<Response> {
    // The body is read here (when the caller has not parsed it) so the batch rules see it.
    const body =
      options.parsedBody ??
      (request.method === 'POST' ? await request.json().catch(() => NOT_JSON) : undefined);
    if (body === NOT_JSON) return notJson();
    const initializeBatch = initializeInBatch(body);
    if (initializeBatch !== undefined) return invalidBatch(initializeBatch);
    const id = request.headers.get('mcp-session-id');
    if (id !== null) {
      // Another owner's session is answered exactly like an unknown one.
      const session = this.live(id, options.owner);
      if (session === undefined) return sessionNotFound();
      const version = session.server.server.getNegotiatedProtocolVersion() ?? LAST_BATCHING_VERSION;
      const batch = batchOnVersionWithout(body, version);
      if (batch !== undefined) return invalidBatch(batch);
      this.options.onRequest?.(session, body);
      return session.transport.handleRequest(request, { parsedBody: body, authInfo: options.authInfo });
    }
    if (request.method !== 'POST') return sessionIdRequired();
    if (!isInitializeRequest(body)) return sessionIdRequired();
    if (this.sessions.size + this.opening >= this.maxSessions) return tooManySessions();
    this.opening++;
    let reserved = true;
    const release = (): void => {
      if (reserved) this.opening--;
      reserved = false;
    };
    try {
      return await this.open(request, body, options, release);
    } finally {
      release();
    }
  }

  /** `release` gives back the slot reserved for this session once it is counted as open. */
  private async open(
    request: Request,
    body: unknown,
    options: HandleOptions,
    release: () => void,
  ): Promise<Response> {
    const { server, state } = this.options.open(request);
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: this.options.eventStore?.() ?? new BoundedEventStore(),
      retryInterval: this.options.retryIntervalMs ?? 1000,
      maxRequestBodySize: this.options.maxBodyBytes,
      onsessioninitialized: (id) => {
        release();
        this.add({ id, owner: options.owner, server, transport, state, lastSeenAt: Date.now() });
      },
      onsessionclosed: (id) => {
        this.forget(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) this.forget(transport.sessionId);
    };
    if (this.options.onError) transport.onerror = this.options.onError;
    await server.connect(transport);
    return transport.handleRequest(request, { parsedBody: body, authInfo: options.authInfo });
  }

  private add(session: LiveSession<State>): void {
    this.sessions.set(session.id, session);
    const { id, owner, lastSeenAt } = session;
    this.record(() => this.records.add({ id, owner, openedAt: lastSeenAt, lastSeenAt }));
    this.options.onOpened?.(session);
  }

  /** Removes a session from the books; its server is closed by whoever ended it. */
  private forget(id: string): LiveSession<State> | undefined {
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    this.sessions.delete(id);
    this.record(() => this.records.remove(id));
    this.options.onClosed?.(session);
    return session;
  }

  private close(id: string): Promise<void> {
    const session = this.forget(id);
    return session === undefined ? Promise.resolve() : session.server.close().catch(this.reportError);
  }

  /** Ends idle sessions, and writes the others' activity back to the record store. */
  private sweep(): void {
    const now = Date.now();
    const cutoff = now - this.idleMs;
    for (const [id, session] of this.sessions) {
      if (session.lastSeenAt < cutoff) void this.close(id);
      else if (session.lastSeenAt > this.lastSweepAt)
        this.record(() => this.records.touch(id, session.lastSeenAt));
    }
    this.lastSweepAt = now;
  }

  /** Ends every session (shutdown). */
  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }

  /** Runs a record-store write; a failure is reported, never thrown into the request. */
  private record(write: () => void | Promise<void>): void {
    try {
      const pending = write();
      if (pending !== undefined) pending.catch(this.reportError);
    } catch (error) {
      this.reportError(error);
    }
  }

  private readonly reportError = (error: unknown): void => {
    this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
  };
}

const NOT_JSON = Symbol('not JSON');
