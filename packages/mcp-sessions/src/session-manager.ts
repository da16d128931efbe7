/**
 * 2025-era Streamable HTTP sessions (2025-11-25, 2025-06-18, 2025-03-26): an SDK transport and an
 * MCP server per session, opened by `initialize`, found by `Mcp-Session-Id`, ended by DELETE, by
 * idling out or by `closeAll()`. Each session's SSE streams are resumable (`Last-Event-ID`)
 * through its own bounded event store. At most `maxSessions` are open; one more `initialize` is
 * refused with 503 while the open ones keep being served.
 *
 * The SDK's `WebStandardStreamableHTTPServerTransport` does the protocol (headers, SSE, DELETE,
 * resumption); this class only keeps the sessions.
 *
 * With a shared record store (several replicas behind a balancer, no affinity), a request for a
 * session this process does not hold takes it up from its record (handshake-replay.ts), and a
 * session held here is checked against the store every `revalidateMs`, so a session ended
 * through one replica (DELETE, idle expiry) is refused by all within that time. Closing a local
 * copy (idle here, shutdown) leaves the record for the other replicas; only DELETE removes it.
 * With a bus (session-bus.ts) as well, the replicas pass on what a client posts to one of them but
 * another must act on (answers to server-to-client requests, notifications), and a session ended
 * through one is let go by the others at once.
 */
import { randomUUID } from 'node:crypto';
import {
  isInitializeRequest,
  type McpServer,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { batchOnVersionWithout, initializeInBatch, LAST_BATCHING_VERSION } from './batch-rules.ts';
import { BoundedEventStore } from './event-store.ts';
import { replayHandshake, replayRequest } from './handshake-replay.ts';
import { MemorySessionRecords, type SessionRecord, type SessionRecordStore } from './record-store.ts';
import { ReplicaLink } from './replica-link.ts';
import {
  invalidBatch,
  notJson,
  sessionIdRequired,
  sessionNotFound,
  sessionStoreUnavailable,
  tooManySessions,
} from './responses.ts';
import { replayable, ScopedState } from './scoped-requests.ts';
import type { HandleOptions, LiveSession, SessionManagerOptions } from './session-types.ts';

export type { HandleOptions, LiveSession, OpenedSession, SessionManagerOptions } from './session-types.ts';

const DEFAULT_IDLE_MS = 30 * 60_000;
const DEFAULT_REVALIDATE_MS = 5_000;
const DEFAULT_HELD_IDLE_MS = 2 * 60_000;
/** A session found through the shared store, or why not: the store failed, or the cap is reached. */
type TakenUp<State> = LiveSession<State> | 'unavailable' | 'full' | undefined;
/** Why a session leaves this process: only `ended` (DELETE) removes a shared record. */
type Departure = 'ended' | 'local';
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
  private readonly revalidateMs: number;
  /** How long a session unused here is held here (shared stores: shorter than idleMs). */
  private readonly heldIdleMs: number;
  /** Sessions being taken up from the shared store, so concurrent requests take each up once. */
  private readonly takingUp = new Map<string, Promise<TakenUp<State>>>();
  /** What this replica tells the others, and does with what they tell it (shared stores only). */
  private readonly replicas: ReplicaLink<State> | undefined;

  constructor(options: SessionManagerOptions<State>) {
    this.options = options;
    this.records = options.records ?? new MemorySessionRecords();
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.revalidateMs = options.revalidateMs ?? DEFAULT_REVALIDATE_MS;
    this.heldIdleMs = this.records.shared
      ? Math.min(this.idleMs, options.heldIdleMs ?? DEFAULT_HELD_IDLE_MS)
      : this.idleMs;
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, this.heldIdleMs)).unref();
    this.replicas = this.records.shared
      ? new ReplicaLink<State>({
          bus: options.bus,
          records: this.records,
          held: (id) => this.sessions.get(id),
          letGo: (id) => void this.close(id, 'local'),
          onRequest: (session, body) => this.options.onRequest?.(session, body),
          reportError: this.reportError,
        })
      : undefined;
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
    const now = Date.now();
    // A shared session due for its check goes through handle(), which makes it.
    if (this.records.shared && now - session.checkedAt >= this.revalidateMs) return undefined;
    session.lastSeenAt = now;
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
    if (id !== null) return this.serve(request, id, body, options);
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

  /** A request to an existing session: found here or taken up, then handed to its transport. */
  private async serve(
    request: Request,
    id: string,
    body: unknown,
    options: HandleOptions,
  ): Promise<Response> {
    // Another owner's session is answered exactly like an unknown one.
    const session = this.live(id, options.owner) ?? (await this.fromStore(request, id, options));
    if (session === 'unavailable') return sessionStoreUnavailable();
    if (session === 'full') return tooManySessions();
    if (session === undefined) return sessionNotFound();
    const version = session.server.server.getNegotiatedProtocolVersion() ?? LAST_BATCHING_VERSION;
    const batch = batchOnVersionWithout(body, version);
    if (batch !== undefined) return invalidBatch(batch);
    this.options.onRequest?.(session, body);
    session.auth = options.authInfo ?? session.auth;
    if (request.method === 'POST') this.replicas?.passOnAnswers(session, body);
    const response = await session.transport.handleRequest(request, {
      parsedBody: body,
      authInfo: options.authInfo,
    });
    if (request.method === 'POST') this.replicas?.shareState(session, body);
    if (request.method === 'DELETE') await this.replicas?.ended(id);
    return response;
  }

  /** `release` gives back the slot reserved for this session once it is counted as open. */
  private async open(
    request: Request,
    body: unknown,
    options: HandleOptions,
    release: () => void,
  ): Promise<Response> {
    const init = (body as { params?: unknown }).params;
    let recorded: Promise<void> | undefined;
    const { transport } = await this.connect(request, options, randomUUID, (session) => {
      release();
      recorded = this.add(session, init);
    });
    const response = await transport.handleRequest(request, { parsedBody: body, authInfo: options.authInfo });
    if (recorded === undefined || !this.records.shared) return response;
    // Shared: the client's next request may reach another replica, which must find the record.
    try {
      await recorded;
      return response;
    } catch (error) {
      this.reportError(error);
      await response.body?.cancel().catch(() => {});
      if (transport.sessionId !== undefined) await this.close(transport.sessionId, 'ended');
      return sessionStoreUnavailable();
    }
  }

  /**
   * A server and transport for a session; `onInitialized` gets the live session once the
   * transport has answered `initialize` with the id `newId` gives.
   */
  private async connect(
    request: Request,
    options: HandleOptions,
    newId: () => string,
    onInitialized: (session: LiveSession<State>) => void,
  ): Promise<{ server: McpServer; transport: WebStandardStreamableHTTPServerTransport }> {
    const { server, state } = this.options.open(request);
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: newId,
      eventStore: this.options.eventStore?.() ?? new BoundedEventStore(),
      retryInterval: this.options.retryIntervalMs ?? 1000,
      maxRequestBodySize: this.options.maxBodyBytes,
      onsessioninitialized: (id) => {
        const now = Date.now();
        onInitialized({
          id,
          owner: options.owner,
          server,
          transport,
          state,
          lastSeenAt: now,
          checkedAt: now,
          scoped: new ScopedState(),
          auth: options.authInfo,
        });
      },
      onsessionclosed: (id) => {
        this.forget(id, 'ended');
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) this.forget(transport.sessionId, 'local');
    };
    if (this.options.onError) transport.onerror = this.options.onError;
    await server.connect(transport);
    return { server, transport };
  }

  /**
   * A session this process does not hold (or holds and must check): its shared record, taken up
   * here when it exists, belongs to this owner and has not idled out. `unavailable` when the
   * store cannot be read. Memory stores hold nothing another process opened: no lookup.
   */
  private fromStore(
    request: Request,
    id: string,
    options: HandleOptions,
  ): Promise<TakenUp<State>> | undefined {
    if (!this.records.shared) return undefined;
    let pending = this.takingUp.get(id);
    if (pending === undefined) {
      pending = this.checkOrTakeUp(request, id, options).finally(() => this.takingUp.delete(id));
      this.takingUp.set(id, pending);
    }
    return pending.then((session) =>
      typeof session === 'string' || session?.owner === options.owner ? session : undefined,
    );
  }

  private async checkOrTakeUp(request: Request, id: string, options: HandleOptions): Promise<TakenUp<State>> {
    let record: SessionRecord | undefined;
    const held = this.sessions.get(id);
    try {
      record = await this.records.get(id);
    } catch (error) {
      this.reportError(error);
      // A session held here goes on while the store is away (checked again after revalidateMs);
      // one held elsewhere cannot be taken up without its record.
      if (held === undefined || held.owner !== options.owner) return 'unavailable';
      held.checkedAt = Date.now();
      return held;
    }
    const now = Date.now();
    if (record === undefined || record.lastSeenAt < now - this.idleMs) {
      // Ended through another replica, or idle everywhere: gone here too.
      if (held !== undefined) void this.close(id, 'local');
      if (record !== undefined) this.record(() => this.records.remove(id));
      return undefined;
    }
    if (held === undefined && (record.owner !== options.owner || record.init === undefined)) return undefined;
    // In use: what the other replicas see when they check whether it idled out.
    this.record(() => this.records.touch(id, now));
    if (held !== undefined) {
      held.checkedAt = now;
      held.lastSeenAt = now;
      return held;
    }
    if (this.sessions.size + this.opening >= this.maxSessions) return 'full';
    return this.takeUp(request, record, options);
  }

  /** Replays the recorded handshake to a fresh server, which then serves the session here. */
  private async takeUp(
    request: Request,
    record: SessionRecord,
    options: HandleOptions,
  ): Promise<LiveSession<State> | undefined> {
    let live: LiveSession<State> | undefined;
    const { server, transport } = await this.connect(
      request,
      options,
      () => record.id,
      (session) => {
        live = session;
      },
    );
    const ready = await replayHandshake(transport, request, record.id, record.init, options.authInfo).catch(
      (error: unknown) => {
        this.reportError(error);
        return false;
      },
    );
    if (!ready || live === undefined) {
      await server.close().catch(this.reportError);
      return undefined;
    }
    // The level and subscriptions the client set through other replicas hold here too.
    live.scoped.apply(record.scoped ?? []);
    for (const scoped of live.scoped.list()) {
      await replayRequest(transport, request, record.id, replayable(scoped), options.authInfo).catch(
        this.reportError,
      );
    }
    this.sessions.set(record.id, live);
    this.options.onOpened?.(live);
    return live;
  }

  /** Books a new session; resolves once its record is written (a shared store: before it is answered). */
  private add(session: LiveSession<State>, init: unknown): Promise<void> {
    this.sessions.set(session.id, session);
    const { id, owner, lastSeenAt } = session;
    this.options.onOpened?.(session);
    if (this.records.shared) {
      return Promise.resolve().then(() =>
        this.records.add({ id, owner, openedAt: lastSeenAt, lastSeenAt, init }),
      );
    }
    this.record(() => this.records.add({ id, owner, openedAt: lastSeenAt, lastSeenAt, init }));
    return Promise.resolve();
  }

  /**
   * Removes a session from the books; its server is closed by whoever ended it. Its record goes
   * too, unless the store is shared and the session only leaves this process.
   */
  private forget(id: string, why: Departure): LiveSession<State> | undefined {
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    this.sessions.delete(id);
    if (why === 'ended' && this.replicas !== undefined) this.replicas.end(id);
    else if (!this.records.shared) this.record(() => this.records.remove(id));
    this.options.onClosed?.(session);
    return session;
  }

  private close(id: string, why: Departure): Promise<void> {
    const session = this.forget(id, why);
    return session === undefined ? Promise.resolve() : session.server.close().catch(this.reportError);
  }

  /** Ends idle sessions, and writes the others' activity back to the record store. */
  private sweep(): void {
    const now = Date.now();
    const cutoff = now - this.idleMs;
    const heldCutoff = now - this.heldIdleMs;
    for (const [id, session] of this.sessions) {
      if (session.lastSeenAt < heldCutoff) void this.close(id, 'local');
      else if (session.lastSeenAt > this.lastSweepAt)
        this.record(() => this.records.touch(id, session.lastSeenAt));
    }
    this.lastSweepAt = now;
    const { records } = this;
    if (records.shared && records.expire) this.record(() => records.expire?.(cutoff));
  }

  /** Ends every session (shutdown). */
  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id, 'local')));
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
