/**
 * The SQLite audit store's free-text index over each record's arguments (issue 18): an FTS5 table
 * with the trigram tokenizer, so any substring of three or more characters is found without
 * reading every record, case-insensitively. Contentless (only the index; rowid = seq).
 *
 * Indexing a record costs several times what storing it does, so it is kept off the write path
 * (the audit log's sustained write rate is a target of its own): records are indexed after they
 * are committed — in small steps while the log is busy, in large ones once it is quiet — and a
 * text search first indexes whatever is still left, so it always sees every committed record. A
 * database from before the index, or written by another process, is caught up the same way. The
 * records indexed so far are those up to `seq` in `<table>_arguments_head`, moved in the same
 * transaction as the index.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** The text a record is searched by: its stored (redacted) arguments as JSON text. */
export const ARGUMENTS_TEXT = "json_extract(event, '$.arguments')";
/**
 * Records indexed per step while appends keep coming (2,000 a second: each step holds the event
 * loop for milliseconds, not tens of them), and once the log has been quiet.
 */
const BUSY_STEP = 500;
const QUIET_STEP = 2_500;
/** How often a step runs, and how long without an append counts as quiet. */
const STEP_INTERVAL_MS = 250;
const QUIET_AFTER_MS = 200;
/** Records indexed per transaction when a search catches up. */
const CATCH_UP_STEP = 20_000;

/** An FTS5 phrase: the text matched literally (trigram phrases are substrings). */
export function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

export class SqliteTextIndex {
  /** The FTS5 table: join it on `rowid = seq` and match with `<table> MATCH ftsPhrase(text)`. */
  readonly table: string;
  readonly #db: DatabaseSync;
  readonly #indexSome: StatementSync;
  readonly #indexedUpTo: StatementSync;
  readonly #moveHead: StatementSync;
  #timer: NodeJS.Timeout | undefined;
  #lastAppend = 0;

  /** Creates the index's tables when missing; call inside the store's init transaction. */
  constructor(db: DatabaseSync, logTable: string) {
    this.table = `${logTable}_arguments`;
    const head = `${this.table}_head`;
    this.#db = db;
    db.exec(`
      CREATE VIRTUAL TABLE IF NOT EXISTS ${this.table}
        USING fts5(arguments, content='', columnsize=0, tokenize='trigram');
      CREATE TABLE IF NOT EXISTS ${head} (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL
      ) STRICT;`);
    this.#indexSome = db.prepare(
      `INSERT INTO ${this.table} (rowid, arguments)
       SELECT seq, ${ARGUMENTS_TEXT} FROM ${logTable} WHERE seq > ? ORDER BY seq LIMIT ?
       RETURNING rowid`,
    );
    this.#indexedUpTo = db.prepare(`SELECT seq FROM ${head} WHERE id = 1`);
    this.#moveHead = db.prepare(
      `INSERT INTO ${head} (id, seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq`,
    );
  }

  /** Starts indexing in the background (the timer does not keep the process alive). */
  start(): void {
    this.#timer ??= setInterval(() => this.#step(), STEP_INTERVAL_MS).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Tells the index an append was committed (so it stays out of the way while they come). */
  appended(): void {
    this.#lastAppend = performance.now();
  }

  /** Indexes every committed record not indexed yet (before a search). */
  catchUp(): void {
    let indexed: number;
    do indexed = this.#index(CATCH_UP_STEP);
    while (indexed === CATCH_UP_STEP);
  }

  #step(): void {
    const quiet = performance.now() - this.#lastAppend >= QUIET_AFTER_MS;
    try {
      this.#index(quiet ? QUIET_STEP : BUSY_STEP);
    } catch {
      // The database is busy or closing: the next step, or the next search, catches up.
    }
  }

  /** Indexes up to `limit` records after the indexed head, in one transaction; how many. */
  #index(limit: number): number {
    const db = this.#db;
    db.exec('BEGIN IMMEDIATE');
    try {
      const from = Number(this.#indexedUpTo.get()?.seq ?? 0);
      const indexed = this.#indexSome.all(from, limit);
      const last = indexed.at(-1);
      if (last) this.#moveHead.run(Number(last.rowid));
      db.exec('COMMIT');
      return indexed.length;
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
}
