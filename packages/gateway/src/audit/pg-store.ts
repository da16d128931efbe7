/**
 * The audit store on PostgreSQL (the `pg` package): a connection pool, a table created on init
 * (name configurable, checked as an identifier), each append one transaction with multi-row
 * INSERTs, seq a BIGINT primary key and the full event as JSONB.
 *
 * The head checkpoint lives in `<table>_head` (one row), moved forward in each append's
 * transaction.
 *
 * Several writers (gateway replicas, the CLI) continue one chain: each append takes a
 * transaction-scoped advisory lock, reads the head under it, and — when another writer moved the
 * head since this one chained its batch — places the batch after it (new seq and hashes for the
 * same events, in the same order). Appends are serialised for the few milliseconds of their
 * transaction; group commit keeps them to a few per second per replica under load.
 */
import pg from 'pg';
import { type ChainHead, chainRecords } from './chain.ts';
import type { AuditRecord } from './event.ts';
import {
  type AuditQuery,
  type AuditStore,
  checkPageArguments,
  checkpointAfter,
  containsLike,
  globToLike,
  type HeadCheckpoint,
  INSERT_COLUMN_COUNT,
  INSERT_COLUMNS,
  insertValues,
  normalizeQuery,
  recordFromRow,
} from './store.ts';

export interface PgAuditStoreOptions {
  /** A `postgresql://` URL; ignored when `pool` is given. */
  connectionString?: string;
  /** An existing pool; it is not ended by close(). */
  pool?: pg.Pool;
  /** `table` or `schema.table`; letters, digits and `_`, 48 characters at most per part. */
  table?: string;
  /** Pool size when the store makes its own pool (default 4). */
  maxConnections?: number;
}

export const DEFAULT_PG_TABLE = 'gatehouse_audit_log';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;
const COLUMNS = INSERT_COLUMNS;
const COLUMN_COUNT = INSERT_COLUMN_COUNT;
/** The text a record is searched by: its stored (redacted) arguments as JSON text. */
const ARGUMENTS_TEXT = "(event->'arguments')::text";
/** Rows per INSERT statement, well under PostgreSQL's 65535 bind parameters. */
const ROWS_PER_INSERT = 1000;

/** Checks `table` or `schema.table` and returns it quoted, plus a safe stem for index names. */
export function quoteTableName(table: string): { quoted: string; stem: string } {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new Error(
      `audit table name "${table}" is not a valid identifier (letters, digits, _; or schema.table)`,
    );
  }
  return { quoted: parts.map((part) => `"${part}"`).join('.'), stem: parts[parts.length - 1] ?? table };
}

/** The checkpoint table next to `table` (same schema): `<table>_head`, quoted; `table` is checked. */
function headTableName(table: string): string {
  quoteTableName(table);
  const parts = table.split('.');
  parts[parts.length - 1] = `${parts[parts.length - 1]}_head`;
  return parts.map((part) => `"${part}"`).join('.');
}

interface PgRow {
  seq: string | number;
  prev_hash: string;
  hash: string;
  time: string;
  principal_id: string | null;
  principal_user: string | null;
  method: string;
  target: string | null;
  status: string;
  decision: string;
  event: unknown;
}

function rowToRecord(row: PgRow): AuditRecord {
  return recordFromRow(
    row.event,
    { seq: Number(row.seq), prevHash: row.prev_hash, hash: row.hash },
    {
      time: row.time,
      principalId: row.principal_id,
      principalUser: row.principal_user,
      method: row.method,
      target: row.target,
      status: row.status,
      decision: row.decision,
    },
  );
}

function insertStatement(table: string, rows: readonly AuditRecord[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const tuples = rows.map((record, row) => {
    values.push(...insertValues(record));
    const base = row * COLUMN_COUNT;
    const placeholders = Array.from({ length: COLUMN_COUNT }, (_, i) => `$${base + i + 1}`);
    placeholders[COLUMN_COUNT - 1] = `${placeholders[COLUMN_COUNT - 1]}::jsonb`;
    return `(${placeholders.join(', ')})`;
  });
  return { text: `INSERT INTO ${table} (${COLUMNS}) VALUES ${tuples.join(', ')}`, values };
}

/** Runs a statement that may fail without failing the transaction (a savepoint around it). */
async function optionally(client: pg.PoolClient, statement: string): Promise<boolean> {
  await client.query('SAVEPOINT gatehouse_optional');
  try {
    await client.query(statement);
    await client.query('RELEASE SAVEPOINT gatehouse_optional');
    return true;
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT gatehouse_optional');
    return false;
  }
}

export class PgAuditStore implements AuditStore {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #table: string;
  readonly #indexStem: string;
  readonly #tableName: string;
  readonly #headTable: string;
  #closed = false;

  constructor(options: PgAuditStoreOptions) {
    const { quoted, stem } = quoteTableName(options.table ?? DEFAULT_PG_TABLE);
    this.#table = quoted;
    this.#indexStem = stem;
    this.#tableName = options.table ?? DEFAULT_PG_TABLE;
    this.#headTable = headTableName(this.#tableName);
    if (options.pool) {
      this.#pool = options.pool;
      this.#ownsPool = false;
    } else {
      if (!options.connectionString) throw new Error('PgAuditStore needs a connectionString or a pool');
      this.#pool = new pg.Pool({
        connectionString: options.connectionString,
        max: options.maxConnections ?? 4,
      });
      // An idle connection dropped by the server must not crash the process; the next query
      // fails instead, and the audit log reports that through its onError.
      this.#pool.on('error', () => {});
      this.#ownsPool = true;
    }
  }

  async init(): Promise<void> {
    const t = this.#table;
    const index = (column: string): string =>
      `CREATE INDEX IF NOT EXISTS "${this.#indexStem}_${column}_idx" ON ${t} (${column})`;
    // The advisory lock keeps replicas that start together from racing on CREATE … IF NOT EXISTS.
    await this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `gatehouse-audit:${this.#tableName}`,
      ]);
      await client.query(`CREATE TABLE IF NOT EXISTS ${t} (
        seq BIGINT PRIMARY KEY,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        time TEXT NOT NULL,
        principal_id TEXT,
        principal_user TEXT,
        method TEXT NOT NULL,
        target TEXT,
        status TEXT NOT NULL,
        decision TEXT NOT NULL,
        event JSONB NOT NULL
      )`);
      // time with seq: a time range's newest matches come from the index alone (see query).
      await client.query(`CREATE INDEX IF NOT EXISTS "${this.#indexStem}_time_seq_idx" ON ${t} (time, seq)`);
      for (const column of ['principal_id', 'principal_user', 'method', 'target', 'status', 'decision']) {
        await client.query(index(column));
      }
      await this.#createHeadTable(client);
      await this.#createTextIndex(client);
    });
  }

  /**
   * The free-text index over each record's arguments (issue 18): a pg_trgm GIN index on their JSON
   * text, which `ILIKE '%…%'` uses for text of three or more characters. Where the extension
   * cannot be created (it ships with PostgreSQL's contrib package; creating it needs the CREATE
   * privilege on the database), the search still works by reading the arguments of every record.
   */
  async #createTextIndex(client: pg.PoolClient): Promise<void> {
    await optionally(client, 'CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await optionally(
      client,
      `CREATE INDEX IF NOT EXISTS "${this.#indexStem}_arguments_trgm_idx" ON ${this.#table} USING gin ((${ARGUMENTS_TEXT}) gin_trgm_ops)`,
    );
  }

  /**
   * Creates the checkpoint table. A table from before checkpoints existed gets one from the head
   * it has now (the best that can be known); later, a missing row means it was deleted.
   */
  async #createHeadTable(client: pg.PoolClient): Promise<void> {
    const h = this.#headTable;
    const found = await client.query<{ existed: string | null }>('SELECT to_regclass($1) AS existed', [h]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${h} (
      id SMALLINT PRIMARY KEY CHECK (id = 1),
      seq BIGINT NOT NULL,
      hash TEXT NOT NULL,
      time TEXT NOT NULL
    )`);
    if (found.rows[0]?.existed) return;
    await client.query(
      `INSERT INTO ${h} (id, seq, hash, time)
       SELECT 1, seq, hash, $1 FROM ${this.#table} ORDER BY seq DESC LIMIT 1`,
      [new Date().toISOString()],
    );
  }

  async #transaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    if (this.#closed) throw new Error('audit store is closed');
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error; // the connection is unusable: drop it from the pool
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async #rows<Row extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<Row[]> {
    if (this.#closed) throw new Error('audit store is closed');
    return (await this.#pool.query<Row>(text, values)).rows;
  }

  async head(): Promise<ChainHead | null> {
    const rows = await this.#rows<{ seq: string; hash: string }>(
      `SELECT seq, hash FROM ${this.#table} ORDER BY seq DESC LIMIT 1`,
      [],
    );
    const row = rows[0];
    return row ? { seq: Number(row.seq), hash: row.hash } : null;
  }

  async checkpoint(): Promise<HeadCheckpoint | null> {
    const rows = await this.#rows<{ seq: string; hash: string; time: string }>(
      `SELECT seq, hash, time FROM ${this.#headTable} WHERE id = 1`,
      [],
    );
    const row = rows[0];
    return row ? { seq: Number(row.seq), hash: row.hash, time: row.time } : null;
  }

  async append(batch: readonly AuditRecord[]): Promise<readonly AuditRecord[]> {
    if (batch.length === 0) return batch;
    let records = batch;
    await this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `gatehouse-audit-append:${this.#tableName}`,
      ]);
      const head = await this.#headIn(client);
      const first = records[0] as AuditRecord;
      if ((head?.seq ?? 0) !== first.seq - 1 || (head !== null && head.hash !== first.prevHash)) {
        records = chainRecords(head, records);
      }
      for (let start = 0; start < records.length; start += ROWS_PER_INSERT) {
        const { text, values } = insertStatement(this.#table, records.slice(start, start + ROWS_PER_INSERT));
        await client.query(text, values);
      }
      const checkpoint = checkpointAfter(records);
      if (checkpoint) {
        await client.query(
          `INSERT INTO ${this.#headTable} AS h (id, seq, hash, time) VALUES (1, $1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, time = EXCLUDED.time
           WHERE h.seq < EXCLUDED.seq`,
          [checkpoint.seq, checkpoint.hash, checkpoint.time],
        );
      }
    });
    return records;
  }

  /** The chain's head as `client` sees it (under the append lock: no other writer moves it). */
  async #headIn(client: pg.PoolClient): Promise<ChainHead | null> {
    const { rows } = await client.query<{ seq: string; hash: string }>(
      `SELECT seq, hash FROM ${this.#table} ORDER BY seq DESC LIMIT 1`,
    );
    const row = rows[0];
    return row ? { seq: Number(row.seq), hash: row.hash } : null;
  }

  async page(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    checkPageArguments(afterSeq, limit);
    const rows = await this.#rows<PgRow>(
      `SELECT ${COLUMNS} FROM ${this.#table} WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [afterSeq, limit],
    );
    return rows.map(rowToRecord);
  }

  async query(filter: AuditQuery): Promise<AuditRecord[]> {
    const query = normalizeQuery(filter);
    const conditions: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };
    if (query.since !== undefined) conditions.push(`time >= ${param(query.since)}`);
    if (query.until !== undefined) conditions.push(`time < ${param(query.until)}`);
    if (query.principal !== undefined) {
      const principal = param(query.principal);
      conditions.push(`(principal_id = ${principal} OR principal_user = ${principal})`);
    }
    if (query.method !== undefined) conditions.push(`method = ${param(query.method)}`);
    if (query.target?.includes('*'))
      conditions.push(`target LIKE ${param(globToLike(query.target))} ESCAPE '\\'`);
    else if (query.target !== undefined) conditions.push(`target = ${param(query.target)}`);
    if (query.status !== undefined) conditions.push(`status = ${param(query.status)}`);
    if (query.decision !== undefined) conditions.push(`decision = ${param(query.decision)}`);
    if (query.text !== undefined)
      conditions.push(`${ARGUMENTS_TEXT} ILIKE ${param(containsLike(query.text))} ESCAPE '\\'`);
    const limit = param(query.limit);
    // The matching seqs first, then their rows. With a time range that ends (`until`), the newest
    // matches are picked from the (time, seq) index alone: ordering by `seq + 0` keeps the planner
    // from walking the primary key backwards instead — it does not know seq and time rise
    // together, so it expects matches everywhere and would read every newer record first (half
    // the log for a day in the middle of it). Without `until` the newest records match first, and
    // walking the primary key backwards is the fastest way.
    const newestFirst = query.until !== undefined ? '(seq + 0) DESC' : 'seq DESC';
    const sql =
      `SELECT ${COLUMNS} FROM ${this.#table} WHERE seq IN (SELECT seq FROM ${this.#table}` +
      (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '') +
      ` ORDER BY ${newestFirst} LIMIT ${limit}) ORDER BY seq DESC`;
    return (await this.#rows<PgRow>(sql, values)).map(rowToRecord);
  }
  async count(): Promise<number> {
    const rows = await this.#rows<{ n: string }>(`SELECT count(*) AS n FROM ${this.#table}`, []);
    return Number(rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsPool) await this.#pool.end();
  }
}
