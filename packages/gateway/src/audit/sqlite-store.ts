/**
 * The audit store on SQLite, through Node's built-in `node:sqlite` (no native npm package).
 *
 * Durability: WAL journal with `synchronous=NORMAL`. A committed transaction's WAL frames have
 * been written to the file (the OS page cache) before COMMIT returns, so a record whose append
 * resolved survives the gateway process being SIGKILLed; only an OS crash or power loss may lose
 * the most recent commits (until the next checkpoint syncs the WAL). Use `synchronous: 'FULL'`
 * to sync on every commit when that matters more than throughput.
 */
import { randomUUID } from 'node:crypto';
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import { createOwnerOnlyDbFile } from '../storage/embedded-db.ts';
import type { ChainHead } from './chain.ts';
import type { AuditRecord } from './event.ts';
import type { JournalMark, StoreJournalMark } from './journal.ts';
import { ARGUMENTS_TEXT, ftsPhrase, SqliteTextIndex } from './sqlite-text-index.ts';
import {
  type AuditQuery,
  type AuditStore,
  checkPageArguments,
  checkpointAfter,
  containsLike,
  type HeadCheckpoint,
  INSERT_COLUMNS,
  insertValues,
  MIN_INDEXED_TEXT,
  normalizeQuery,
  recordFromRow,
} from './store.ts';

export interface SqliteAuditStoreOptions {
  /** Database file; parent directories are created. `:memory:` works for tests. */
  path: string;
  synchronous?: 'NORMAL' | 'FULL';
}

const TABLE = 'audit_log';
/** One row (id 1): the head checkpoint, moved forward by every append in its transaction. */
const HEAD_TABLE = 'audit_log_head';

const HEAD_SCHEMA = `
CREATE TABLE IF NOT EXISTS ${HEAD_TABLE} (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  time TEXT NOT NULL
) STRICT;
`;

/** One row (id 1): how far the audit journal has been taken into the table (see journal.ts). */
const JOURNAL_TABLE = 'audit_journal_mark';

const JOURNAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS ${JOURNAL_TABLE} (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  database_id TEXT NOT NULL,
  generation INTEGER NOT NULL,
  byte_offset INTEGER NOT NULL
) STRICT;
`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${TABLE} (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  time TEXT NOT NULL,
  principal_id TEXT,
  principal_user TEXT,
  method TEXT NOT NULL,
  target TEXT,
  status TEXT NOT NULL,
  decision TEXT NOT NULL,
  event TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS ${TABLE}_time ON ${TABLE} (time);
CREATE INDEX IF NOT EXISTS ${TABLE}_principal_id ON ${TABLE} (principal_id);
CREATE INDEX IF NOT EXISTS ${TABLE}_principal_user ON ${TABLE} (principal_user);
CREATE INDEX IF NOT EXISTS ${TABLE}_method ON ${TABLE} (method);
CREATE INDEX IF NOT EXISTS ${TABLE}_target ON ${TABLE} (target);
CREATE INDEX IF NOT EXISTS ${TABLE}_status ON ${TABLE} (status);
CREATE INDEX IF NOT EXISTS ${TABLE}_decision ON ${TABLE} (decision);
`;

const COLUMNS = INSERT_COLUMNS;

interface Statements {
  insert: StatementSync;
  head: StatementSync;
  page: StatementSync;
  count: StatementSync;
  checkpoint: StatementSync;
  moveCheckpoint: StatementSync;
  journalMark: StatementSync;
  moveJournalMark: StatementSync;
}

/** `*` stays a wildcard; GLOB's other specials are matched literally. GLOB is case-sensitive. */
function globToSqliteGlob(glob: string): string {
  return glob.replace(/[[?]/g, (char) => `[${char}]`);
}

type Row = Record<string, SQLOutputValue>;

function text(row: Row, column: string): string {
  return String(row[column]);
}

function textOrNull(row: Row, column: string): string | null {
  const value = row[column];
  return value === null || value === undefined ? null : String(value);
}

function rowToRecord(row: Row): AuditRecord {
  return recordFromRow(
    text(row, 'event'),
    { seq: Number(row.seq), prevHash: text(row, 'prev_hash'), hash: text(row, 'hash') },
    {
      time: text(row, 'time'),
      principalId: textOrNull(row, 'principal_id'),
      principalUser: textOrNull(row, 'principal_user'),
      method: text(row, 'method'),
      target: textOrNull(row, 'target'),
      status: text(row, 'status'),
      decision: text(row, 'decision'),
    },
  );
}

/**
 * Creates the checkpoint table. A database from before checkpoints existed gets one from the
 * head it has now (the best that can be known); later, a missing row means it was deleted.
 */
function createHeadTable(db: DatabaseSync): void {
  const existed = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(HEAD_TABLE);
  db.exec(HEAD_SCHEMA);
  if (existed) return;
  db.prepare(
    `INSERT INTO ${HEAD_TABLE} (id, seq, hash, time)
     SELECT 1, seq, hash, ? FROM ${TABLE} ORDER BY seq DESC LIMIT 1`,
  ).run(new Date().toISOString());
}

export class SqliteAuditStore implements AuditStore {
  readonly #options: SqliteAuditStoreOptions;
  #db: DatabaseSync | null = null;
  #statements: Statements | null = null;
  #text: SqliteTextIndex | null = null;
  /** Query statements by SQL text: at most one per combination of filter fields. */
  readonly #queryStatements = new Map<string, StatementSync>();

  constructor(options: SqliteAuditStoreOptions) {
    this.#options = options;
  }

  /** The database file (or `:memory:`). */
  get path(): string {
    return this.#options.path;
  }

  async init(): Promise<void> {
    if (this.#db) return;
    const { path } = this.#options;
    createOwnerOnlyDbFile(path);
    const db = new DatabaseSync(path);
    try {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec(`PRAGMA synchronous = ${this.#options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
      db.exec('PRAGMA busy_timeout = 5000');
      db.exec('BEGIN IMMEDIATE');
      try {
        db.exec(SCHEMA);
        db.exec(JOURNAL_SCHEMA);
        // This database's identity, which its audit journal carries (journal.ts).
        db.prepare(
          `INSERT OR IGNORE INTO ${JOURNAL_TABLE} (id, database_id, generation, byte_offset) VALUES (1, ?, 0, 0)`,
        ).run(randomUUID());
        createHeadTable(db);
        this.#text = new SqliteTextIndex(db, TABLE);
        db.exec('COMMIT');
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw error;
      }
      this.#statements = {
        insert: db.prepare(`INSERT INTO ${TABLE} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
        head: db.prepare(`SELECT seq, hash FROM ${TABLE} ORDER BY seq DESC LIMIT 1`),
        page: db.prepare(`SELECT ${COLUMNS} FROM ${TABLE} WHERE seq > ? ORDER BY seq LIMIT ?`),
        count: db.prepare(`SELECT count(*) AS n FROM ${TABLE}`),
        checkpoint: db.prepare(`SELECT seq, hash, time FROM ${HEAD_TABLE} WHERE id = 1`),
        moveCheckpoint: db.prepare(
          `INSERT INTO ${HEAD_TABLE} (id, seq, hash, time) VALUES (1, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, time = excluded.time
           WHERE excluded.seq > ${HEAD_TABLE}.seq`,
        ),
        journalMark: db.prepare(
          `SELECT database_id, generation, byte_offset FROM ${JOURNAL_TABLE} WHERE id = 1`,
        ),
        moveJournalMark: db.prepare(
          `UPDATE ${JOURNAL_TABLE} SET generation = ?, byte_offset = ? WHERE id = 1`,
        ),
      };
    } catch (error) {
      this.#text = null;
      db.close();
      throw error;
    }
    this.#db = db;
    this.#text?.start();
  }

  #open(): { db: DatabaseSync; statements: Statements } {
    if (!this.#db || !this.#statements) throw new Error('audit store is not open');
    return { db: this.#db, statements: this.#statements };
  }

  async head(): Promise<ChainHead | null> {
    const row = this.#open().statements.head.get();
    return row ? { seq: Number(row.seq), hash: String(row.hash) } : null;
  }

  async checkpoint(): Promise<HeadCheckpoint | null> {
    const row = this.#open().statements.checkpoint.get();
    return row ? { seq: Number(row.seq), hash: String(row.hash), time: String(row.time) } : null;
  }

  /** This database's identity and how far its audit journal has been taken into the table. */
  async journalMark(): Promise<StoreJournalMark> {
    const row = this.#open().statements.journalMark.get();
    if (!row) throw new Error('audit store: the journal mark row is missing');
    return {
      database: String(row.database_id),
      generation: Number(row.generation),
      offset: Number(row.byte_offset),
    };
  }

  async append(records: readonly AuditRecord[], journalled?: JournalMark): Promise<readonly AuditRecord[]> {
    if (records.length === 0) return records;
    const { db, statements } = this.#open();
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const record of records) {
        statements.insert.run(...(insertValues(record) as SQLInputValue[]));
      }
      const checkpoint = checkpointAfter(records);
      if (checkpoint) statements.moveCheckpoint.run(checkpoint.seq, checkpoint.hash, checkpoint.time);
      if (journalled) statements.moveJournalMark.run(journalled.generation, journalled.offset);
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
    this.#text?.appended();
    return records;
  }

  async page(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    checkPageArguments(afterSeq, limit);
    return this.#open().statements.page.all(afterSeq, limit).map(rowToRecord);
  }

  async query(filter: AuditQuery): Promise<AuditRecord[]> {
    const { db } = this.#open();
    const query = normalizeQuery(filter);
    const conditions: string[] = [];
    const parameters: SQLInputValue[] = [];
    const where = (condition: string, ...values: SQLInputValue[]): void => {
      conditions.push(condition);
      parameters.push(...values);
    };
    if (query.since !== undefined) where('time >= ?', query.since);
    if (query.until !== undefined) where('time < ?', query.until);
    if (query.principal !== undefined)
      where('(principal_id = ? OR principal_user = ?)', query.principal, query.principal);
    if (query.method !== undefined) where('method = ?', query.method);
    if (query.target?.includes('*')) where('target GLOB ?', globToSqliteGlob(query.target));
    else if (query.target !== undefined) where('target = ?', query.target);
    if (query.status !== undefined) where('status = ?', query.status);
    if (query.decision !== undefined) where('decision = ?', query.decision);
    let from = TABLE;
    let newestFirst = 'seq DESC';
    const text = this.#text;
    if (text && query.text !== undefined && [...query.text].length >= MIN_INDEXED_TEXT) {
      // The index yields matching seqs newest first, so the first `limit` that pass the other
      // filters end the search (no sort of every match).
      text.catchUp();
      from = `${text.table} JOIN ${TABLE} ON ${TABLE}.seq = ${text.table}.rowid`;
      newestFirst = `${text.table}.rowid DESC`;
      where(`${text.table} MATCH ?`, ftsPhrase(query.text));
    } else if (query.text !== undefined) {
      where(`${ARGUMENTS_TEXT} LIKE ? ESCAPE '\\'`, containsLike(query.text));
    }
    // The matching seqs first, then their rows: a filter that uses an index (who, tool, status,
    // a time range) is answered from the index alone, so the newest `limit` of many thousand
    // matches are picked by sorting integers, not whole records (issue 18: the console's audit
    // page at a million records).
    const sql =
      `SELECT ${COLUMNS} FROM ${TABLE} WHERE seq IN (SELECT ${TABLE}.seq FROM ${from}` +
      (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '') +
      ` ORDER BY ${newestFirst} LIMIT ?) ORDER BY seq DESC`;
    let statement = this.#queryStatements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      this.#queryStatements.set(sql, statement);
    }
    return statement.all(...parameters, query.limit).map(rowToRecord);
  }

  async count(): Promise<number> {
    return Number(this.#open().statements.count.get()?.n ?? 0);
  }

  async close(): Promise<void> {
    const db = this.#db;
    this.#text?.stop();
    this.#text = null;
    this.#db = null;
    this.#statements = null;
    this.#queryStatements.clear();
    db?.close();
  }
}
