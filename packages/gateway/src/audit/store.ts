/**
 * The audit storage contract both backends (SQLite, PostgreSQL) implement, plus the pieces they
 * share: query-filter checks, the indexed columns taken from an event, and turning a stored row
 * back into a record.
 *
 * A row keeps the full event as JSON (what the hash covers, and what reads return) and copies a
 * few fields into indexed columns for queries. A record read from a row carries the row's column
 * values under a hidden symbol, so verification also catches a column changed on its own (which
 * would otherwise silently hide a record from, or add it to, query results).
 *
 * Each store also keeps a head checkpoint — the last record's seq and hash and when it was
 * written — in a table of its own, updated in the same transaction as every append. The chain
 * alone cannot show that its newest records were deleted (what is left is still a valid chain);
 * the checkpoint can, as long as whoever deleted them did not also rewrite the checkpoint (see
 * docs/operations.md, "Audit integrity", for what it does and does not protect against).
 */
import { type ChainHead, canonicalEventJson, eventOf } from './chain.ts';
import type { AuditDecision, AuditEvent, AuditRecord, AuditStatus } from './event.ts';
import type { JournalMark, StoreJournalMark } from './journal.ts';

export interface AuditQuery {
  /** ISO-8601; records at or after this time. */
  since?: string;
  /** ISO-8601; records strictly before this time. */
  until?: string;
  /** A principal id or user name. */
  principal?: string;
  method?: string;
  /** A target, where `*` matches any run of characters (e.g. `crm_*`). */
  target?: string;
  status?: AuditStatus;
  decision?: AuditDecision;
  /**
   * Free text: records whose (redacted, as stored) call arguments contain it as written, ignoring
   * case — a substring of the arguments' JSON text, e.g. `D-1042` or `renewal`. At most
   * MAX_TEXT_LENGTH characters; blank means no text filter.
   */
  text?: string;
  /** How many records, newest first (default 100, at most 10000). */
  limit?: number;
}

/** The head as last committed, kept apart from the records (see above). */
export interface HeadCheckpoint extends ChainHead {
  /** When the checkpoint was written (ISO-8601, UTC). */
  time: string;
}

export interface AuditStore {
  /** Creates the schema when missing; safe to call again. */
  init(): Promise<void>;
  /** The last record's place on the chain, or null when the log is empty. */
  head(): Promise<ChainHead | null>;
  /** The head checkpoint, or null when none was ever written (an empty log). */
  checkpoint(): Promise<HeadCheckpoint | null>;
  /**
   * Stores the records, and moves the head checkpoint to the last of them, in one transaction.
   * Resolves with the records as committed: a store several writers share may have placed them
   * after another writer's records (new seq and hashes, same events and order).
   */
  append(records: readonly AuditRecord[], journalled?: JournalMark): Promise<readonly AuditRecord[]>;
  /**
   * A store that can take events from an audit journal (journal.ts) keeps how far it has, moved
   * by `append(records, journalled)` in the same transaction as the records. SQLite only: a
   * shared store is written by every replica, each of which would need a journal of its own.
   */
  journalMark?(): Promise<StoreJournalMark>;
  /** Up to `limit` records with seq > afterSeq, ascending by seq. */
  page(afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /** Matching records, newest first. */
  query(filter: AuditQuery): Promise<AuditRecord[]>;
  count(): Promise<number>;
  close(): Promise<void>;
}

/** The checkpoint an append of `records` leaves behind: its last record, written now. */
export function checkpointAfter(records: readonly AuditRecord[]): HeadCheckpoint | null {
  const last = records.at(-1);
  return last ? { seq: last.seq, hash: last.hash, time: new Date().toISOString() } : null;
}

export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 10_000;
export const MAX_TEXT_LENGTH = 200;
/**
 * Text of at least this many characters is looked up in the stores' trigram index; shorter text
 * can only be found by reading the arguments of every record (still correct, slower).
 */
export const MIN_INDEXED_TEXT = 3;

/** A checked filter: the limit resolved, the times in the stored (UTC `toISOString`) form. */
export interface NormalizedQuery extends Omit<AuditQuery, 'limit'> {
  limit: number;
}

function normalizeTime(name: string, value: string): string {
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) throw new RangeError(`audit query: ${name} is not an ISO-8601 time: ${value}`);
  return new Date(millis).toISOString();
}

export function normalizeQuery(filter: AuditQuery): NormalizedQuery {
  const limit = filter.limit ?? DEFAULT_QUERY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
    throw new RangeError(`audit query: limit must be an integer from 1 to ${MAX_QUERY_LIMIT}`);
  }
  const normalized: NormalizedQuery = { ...filter, limit };
  if (filter.since !== undefined) normalized.since = normalizeTime('since', filter.since);
  if (filter.until !== undefined) normalized.until = normalizeTime('until', filter.until);
  delete normalized.text;
  if (filter.text !== undefined) {
    if (typeof filter.text !== 'string') throw new RangeError('audit query: text must be a string');
    if (filter.text.length > MAX_TEXT_LENGTH) {
      throw new RangeError(`audit query: text is longer than ${MAX_TEXT_LENGTH} characters`);
    }
    if (filter.text.trim() !== '') normalized.text = filter.text;
  }
  return normalized;
}

export function checkPageArguments(afterSeq: number, limit: number): void {
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new RangeError('audit page: bad afterSeq');
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('audit page: bad limit');
}

/** The event fields copied into indexed columns. */
export interface IndexedColumns {
  time: string;
  principalId: string | null;
  principalUser: string | null;
  method: string;
  target: string | null;
  status: string;
  decision: string;
}

/** Where a record read from a store keeps its row's column values (not enumerable, not JSON). */
const STORED_COLUMNS = Symbol('gatehouse.audit.storedColumns');

export function indexedColumnsOf(event: AuditEvent): IndexedColumns {
  return {
    time: event.time,
    principalId: event.principal?.id ?? null,
    principalUser: event.principal?.user ?? null,
    method: event.method,
    target: event.target,
    status: event.status,
    decision: event.decision,
  };
}

/** The stored columns, in insert order (both backends). `event` is last. */
export const INSERT_COLUMNS =
  'seq, prev_hash, hash, time, principal_id, principal_user, method, target, status, decision, event';
export const INSERT_COLUMN_COUNT = 11;

/** One record's values for INSERT_COLUMNS, in that order. */
export function insertValues(record: AuditRecord): unknown[] {
  const c = indexedColumnsOf(record);
  return [
    record.seq,
    record.prevHash,
    record.hash,
    c.time,
    c.principalId,
    c.principalUser,
    c.method,
    c.target,
    c.status,
    c.decision,
    eventJsonOf(record),
  ];
}

/** The JSON stored for a record: its event fields only, canonical. */
export function eventJsonOf(record: AuditEvent): string {
  return canonicalEventJson(record);
}

/** A stored row back to a record: the JSON event with the indexed columns laid over it. */
export function recordFromRow(
  storedEvent: unknown,
  chain: { seq: number; prevHash: string; hash: string },
  columns: IndexedColumns,
): AuditRecord {
  const parsed: unknown = typeof storedEvent === 'string' ? JSON.parse(storedEvent) : storedEvent;
  // Only the event fields: anything else slipped into the stored JSON is not part of the record.
  const event = eventOf((parsed !== null && typeof parsed === 'object' ? parsed : {}) as AuditEvent);
  const record: AuditRecord = { ...event, seq: chain.seq, prevHash: chain.prevHash, hash: chain.hash };
  Object.defineProperty(record, STORED_COLUMNS, { value: columns, enumerable: false });
  return record;
}

/** The indexed columns of the row a record was read from, when they disagree with its event. */
export function columnMismatch(record: AuditRecord): string | null {
  const stored = (record as { [STORED_COLUMNS]?: IndexedColumns })[STORED_COLUMNS];
  if (!stored) return null;
  const expected = indexedColumnsOf(record);
  for (const [column, value] of Object.entries(stored) as [keyof IndexedColumns, string | null][]) {
    if (value !== expected[column]) {
      return `column ${column} is ${JSON.stringify(value)} but the event says ${JSON.stringify(expected[column])}`;
    }
  }
  return null;
}

/** A LIKE pattern (escape character `\`) matching text that contains `text` literally. */
export function containsLike(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** Turns a target glob into a LIKE pattern (escape character `\`). */
export function globToLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (char) => `\\${char}`).replaceAll('*', '%');
}
