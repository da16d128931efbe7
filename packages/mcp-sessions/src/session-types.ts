/**
 * The shapes the session manager works with: what the application opens per session, a live
 * session, the manager's options and a request's options.
 */
import type {
  AuthInfo,
  EventStore,
  McpServer,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import type { SessionRecordStore } from './record-store.ts';
import type { ScopedState } from './scoped-requests.ts';
import type { SessionBus } from './session-bus.ts';

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
  /** When the shared record was last seen to exist (shared stores only). */
  checkedAt: number;
  /** The logging level and subscriptions the client set, wherever it set them. */
  readonly scoped: ScopedState;
  /**
   * The credentials of the owner's latest request here (verified by whoever admitted it): what a
   * state-setting request another replica passes on is applied with.
   */
  auth: AuthInfo | undefined;
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
  /** A fresh event store per session (default: a BoundedEventStore). */
  eventStore?: () => EventStore;
  /** Where session records are kept (default: in memory). */
  records?: SessionRecordStore;
  /**
   * With a shared store: how the replicas pass on what a client posted to one of them but another
   * must act on, and tell each other of sessions ended (session-bus.ts). Without one, an answer to
   * a server-to-client request that reaches another replica is lost.
   */
  bus?: SessionBus;
  /** With a shared store: how long a held session is served before checking its record (default 5 s). */
  revalidateMs?: number;
  /**
   * With a shared store: a session unused here this long is let go here (its record stays, and any
   * replica takes it up again when asked), so behind a round-robin balancer a replica holds the
   * sessions in use through it, not every session it ever served (default 2 minutes, at most idleMs).
   */
  heldIdleMs?: number;
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
