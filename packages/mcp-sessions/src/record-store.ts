/**
 * Where session records live: which sessions exist, who opened them and when they were last used.
 *
 * In memory today. The interface is kept narrow (and may answer asynchronously) so that a later
 * shared store — PostgreSQL or Redis — can let replicas see each other's sessions. The live side
 * of a session (its SDK transport, open streams and server) is process-local and stays in the
 * manager; the manager never consults this store per request: it writes a record when a session
 * opens and ends, and writes last activity back on its idle sweep.
 */

export interface SessionRecord {
  readonly id: string;
  /** Who opened the session (e.g. a principal id); only the same owner may use it. */
  readonly owner: string | undefined;
  readonly openedAt: number;
  lastSeenAt: number;
}

type Awaitable<T> = T | Promise<T>;

export interface SessionRecordStore {
  add(record: SessionRecord): Awaitable<void>;
  get(id: string): Awaitable<SessionRecord | undefined>;
  /** Records activity seen since the last sweep. */
  touch(id: string, lastSeenAt: number): Awaitable<void>;
  remove(id: string): Awaitable<void>;
}

export class MemorySessionRecords implements SessionRecordStore {
  private readonly records = new Map<string, SessionRecord>();

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
}
