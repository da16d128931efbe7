/**
 * Where session records live: which sessions exist, who opened them, when they were last used,
 * and the client's `initialize` parameters.
 *
 * In memory by default: one process. A store that other processes share (`shared: true`, e.g.
 * the gateway's on PostgreSQL) lets any replica take up a session another one opened — by
 * replaying its recorded handshake to a fresh server — and survive that replica's death. The live
 * side of a session (its SDK transport, open streams and server) stays process-local in the
 * manager; the manager consults the store only for a session it does not hold, and (when shared)
 * every few seconds to learn that another replica ended one it holds.
 */

export interface SessionRecord {
  readonly id: string;
  /** Who opened the session (e.g. a principal id); only the same owner may use it. */
  readonly owner: string | undefined;
  readonly openedAt: number;
  lastSeenAt: number;
  /** The client's `initialize` params: replayed to take the session up in another process. */
  readonly init?: unknown;
  /** The requests that set the session's state (scoped-requests.ts), replayed after `init`. */
  readonly scoped?: readonly unknown[];
}

type Awaitable<T> = T | Promise<T>;

export interface SessionRecordStore {
  /** Other processes use this store too: they may take up, and end, the sessions in it. */
  readonly shared?: boolean;
  add(record: SessionRecord): Awaitable<void>;
  get(id: string): Awaitable<SessionRecord | undefined>;
  /** Records activity seen since the last sweep. */
  touch(id: string, lastSeenAt: number): Awaitable<void>;
  remove(id: string): Awaitable<void>;
  /** Keeps the requests that set the session's state (a shared store: for the replicas taking it up). */
  setScoped?(id: string, scoped: readonly unknown[]): Awaitable<void>;
  /** Drops records last used before `before` (a shared store: sessions idle on every replica). */
  expire?(before: number): Awaitable<void>;
}

export class MemorySessionRecords implements SessionRecordStore {
  private readonly records = new Map<string, SessionRecord>();
  readonly shared: boolean;

  /** `shared`: several managers in one process use it as replicas would a shared database (tests). */
  constructor(options: { shared?: boolean } = {}) {
    this.shared = options.shared ?? false;
  }

  get size(): number {
    return this.records.size;
  }

  add(record: SessionRecord): void {
    this.records.set(record.id, { ...record });
  }

  get(id: string): SessionRecord | undefined {
    const record = this.records.get(id);
    return record === undefined ? undefined : { ...record };
  }

  touch(id: string, lastSeenAt: number): void {
    const record = this.records.get(id);
    if (record !== undefined) record.lastSeenAt = lastSeenAt;
  }

  remove(id: string): void {
    this.records.delete(id);
  }

  setScoped(id: string, scoped: readonly unknown[]): void {
    const record = this.records.get(id);
    if (record !== undefined) this.records.set(id, { ...record, scoped: structuredClone(scoped) });
  }

  expire(before: number): void {
    for (const [id, record] of this.records) if (record.lastSeenAt < before) this.records.delete(id);
  }
}
