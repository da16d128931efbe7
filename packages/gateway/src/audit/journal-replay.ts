/**
 * Taking events into a store on the hash chain: the append with its retry when another writer
 * took the next sequence numbers first, and the replay of what an audit journal holds that its
 * store does not (at start-up, and by `gatehouse audit` after a gateway crashed).
 */
import { existsSync } from 'node:fs';
import { type ChainHead, canonicalJson, chainRecords, eventOf } from './chain.ts';
import type { AuditEvent, AuditRecord } from './event.ts';
import { AuditJournal, endsAtMark, type JournalBacklog, type JournalMark, readBacklog } from './journal.ts';
import type { AuditStore } from './store.ts';

const MAX_CONFLICT_RETRIES = 5;

/** A unique-key violation on the sequence number: SQLite's constraint error or PostgreSQL 23505. */
export function isSequenceConflict(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { code, errcode, message } = error as { code?: unknown; errcode?: unknown; message?: unknown };
  if (code === '23505') return true;
  // node:sqlite: SQLITE_CONSTRAINT_PRIMARYKEY (1555) / SQLITE_CONSTRAINT_UNIQUE (2067).
  if (errcode === 1555 || errcode === 2067) return true;
  return typeof message === 'string' && /UNIQUE constraint failed/.test(message);
}

export interface ChainedAppend {
  /** Each event's canonical JSON, when already computed. */
  jsons?: readonly string[];
  /** The journal mark the store moves to in the same transaction. */
  journalled?: JournalMark;
  /** Called when another writer took the sequence numbers first; returns the store's new head. */
  resync: () => Promise<ChainHead | null>;
}

/**
 * Chains the events after `head` and appends them. When another writer (a second replica, or the
 * CLI recording an approval) took those sequence numbers first, nothing of ours landed: chain
 * again from the store's new head. Resolves with the records as committed; rejects with the
 * store's error otherwise.
 */
export async function appendChained(
  store: AuditStore,
  head: ChainHead | null,
  events: readonly AuditEvent[],
  options: ChainedAppend,
): Promise<readonly AuditRecord[]> {
  let records: readonly AuditRecord[] = chainRecords(head, events, options.jsons);
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.append(records, options.journalled);
    } catch (error) {
      if (!isSequenceConflict(error) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      records = chainRecords(await options.resync(), events, options.jsons);
    }
  }
}

export interface JournalReplay {
  /** Events the journal held that the store did not, now committed. */
  replayed: number;
  /** What part of the journal was left out, and why (a torn last line: never acknowledged). */
  dropped: string | null;
}

/** Commits the backlog in batches of at most `maxBatch`; resolves with the store's new head. */
export async function replayBacklog(
  store: AuditStore,
  backlog: JournalBacklog,
  maxBatch: number,
): Promise<ChainHead | null> {
  let head = await store.head();
  for (let from = 0; from < backlog.lines.length; from += maxBatch) {
    const lines = backlog.lines.slice(from, from + maxBatch);
    // Canonical again, so what the chain covers is exactly what verify recomputes.
    const events = lines.map((line) => eventOf(JSON.parse(line.json) as AuditEvent));
    const jsons = events.map((event) => canonicalJson(event));
    const last = lines[lines.length - 1] as { end: number };
    const records = await appendChained(store, head, events, {
      jsons,
      journalled: { generation: backlog.generation, offset: last.end },
      resync: () => store.head(),
    });
    const end = records[records.length - 1];
    if (end) head = { seq: end.seq, hash: end.hash };
  }
  return head;
}

/**
 * What `gatehouse audit` does before it reads: when no process holds the journal at `path` (the
 * gateway that wrote it has stopped, or was killed), commits what it holds that the store does
 * not. Null while a running gateway holds it (that gateway takes its events in shortly).
 */
export async function replayAuditJournal(
  store: AuditStore,
  path: string,
  maxBatch = 500,
): Promise<JournalReplay | null> {
  if (!store.journalMark || !existsSync(path)) return { replayed: 0, dropped: null };
  const opened = AuditJournal.open(path, await store.journalMark());
  if (opened === null) return null;
  try {
    await replayBacklog(store, opened.backlog, maxBatch);
    return { replayed: opened.backlog.lines.length, dropped: opened.backlog.dropped };
  } finally {
    opened.journal.close();
  }
}

/**
 * How many events the journal at `path` holds that the store has not committed yet. Only reads,
 * so it is safe beside the gateway that holds the journal.
 */
export async function uncommittedInJournal(store: AuditStore, path: string): Promise<number> {
  if (!store.journalMark || !existsSync(path)) return 0;
  const mark = await store.journalMark();
  // The common answer (all of it committed) from the header and the size, not the whole file.
  if (endsAtMark(path, mark)) return 0;
  return readBacklog(path, mark).lines.length;
}

/**
 * Waits (polling every 10 ms, up to `timeoutMs`) until the gateway holding the journal has
 * committed what it held when this was called, or later; resolves with how many are still
 * uncommitted (0 once done).
 */
export async function untilJournalCommitted(
  store: AuditStore,
  path: string,
  timeoutMs: number,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const left = await uncommittedInJournal(store, path);
    if (left === 0 || performance.now() >= deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
