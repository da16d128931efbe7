/**
 * One small SQL interface over the two databases Lantern runs on: embedded SQLite (Node's
 * built-in `node:sqlite`, the default) and PostgreSQL (`pg`, when a `postgres://` URL is
 * configured). Statements are written once, in the dialect both share, with `$1, $2 …`
 * placeholders; SQLite receives them as its numbered `?1, ?2 …`.
 *
 * `transaction(fn)` runs `fn` on one connection between BEGIN and COMMIT (ROLLBACK when it
 * throws). On SQLite writes are serialised by the database itself (`BEGIN IMMEDIATE`), and
 * transactions of this process are queued so two never interleave on the one handle.
 */
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { createPgPool, openSqlite } from '@gatehouse/kit/infra';
import type pg from 'pg';

export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

export interface Sql {
  readonly dialect: 'sqlite' | 'postgres';
  all<T extends Row = Row>(text: string, params?: readonly SqlValue[]): Promise<T[]>;
  one<T extends Row = Row>(text: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(text: string, params?: readonly SqlValue[]): Promise<number>;
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const PLACEHOLDER = /\$(\d+)/g;

function toSqlite(text: string): string {
  return text.replace(PLACEHOLDER, '?$1');
}

function sqliteRows(rows: readonly unknown[]): Row[] {
  return rows.map((row) => {
    const out: Row = {};
    for (const [key, value] of Object.entries(row as Record<string, unknown>)) {
      out[key] = typeof value === 'bigint' ? Number(value) : (value as SqlValue);
    }
    return out;
  });
}

class SqliteSql implements Sql {
  readonly dialect = 'sqlite';
  private queue: Promise<unknown> = Promise.resolve();
  private readonly db: DatabaseSync;
  private readonly inTransaction: boolean;

  constructor(db: DatabaseSync, inTransaction = false) {
    this.db = db;
    this.inTransaction = inTransaction;
  }

  async all<T extends Row>(text: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const rows = this.db.prepare(toSqlite(text)).all(...(params as SQLInputValue[]));
    return sqliteRows(rows) as T[];
  }

  async one<T extends Row>(text: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(text, params))[0];
  }

  async run(text: string, params: readonly SqlValue[] = []): Promise<number> {
    return Number(this.db.prepare(toSqlite(text)).run(...(params as SQLInputValue[])).changes);
  }

  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    const next = this.queue.then(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(new SqliteSql(this.db, true));
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      }
    });
    this.queue = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.db.isOpen) this.db.close();
  }
}

interface PgQueryable {
  query(text: string, params?: unknown[]): Promise<pg.QueryResult>;
}

class PostgresSql implements Sql {
  readonly dialect = 'postgres';

  private readonly client: PgQueryable;
  private readonly pool: pg.Pool | undefined;

  constructor(client: PgQueryable, pool: pg.Pool | undefined) {
    this.client = client;
    this.pool = pool;
  }

  async all<T extends Row>(text: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.client.query(text, [...params])).rows as T[];
  }

  async one<T extends Row>(text: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(text, params))[0];
  }

  async run(text: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.client.query(text, [...params])).rowCount ?? 0;
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    if (this.pool === undefined) return fn(this);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new PostgresSql(client, undefined));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }
}

/** `postgres://…` / `postgresql://…` opens a pool; anything else is a SQLite file (or `:memory:`). */
export function openSql(location: string): Sql {
  if (/^postgres(ql)?:\/\//.test(location)) {
    const pool = createPgPool(location);
    return new PostgresSql(pool, pool);
  }
  return new SqliteSql(openSqlite(location));
}
