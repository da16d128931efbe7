/**
 * Small records that expire — console sign-ins, OIDC sign-ins under way — kept in this process's
 * memory, or (storage.postgres) in the shared database so that any replica answers the next
 * request of the same browser. Values are plain JSON. `take` reads and deletes in one step, for
 * what may be used once.
 */
import type { SharedPostgres } from './postgres.ts';
import { reachable } from './unavailable.ts';

export interface ExpiringRecords<T> {
  put(key: string, value: T, expiresAt: number): Promise<void>;
  /** The value under `key` unless it expired. */
  get(key: string): Promise<T | undefined>;
  /** The value under `key` (unless it expired), removed: a second take finds nothing. */
  take(key: string): Promise<T | undefined>;
  remove(key: string): Promise<void>;
}

/** In memory, at most `max` records (the oldest dropped first). */
export class MemoryExpiringRecords<T> implements ExpiringRecords<T> {
  readonly #records = new Map<string, { value: T; expiresAt: number }>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(max: number, now: () => number = Date.now) {
    this.#max = max;
    this.#now = now;
  }

  async put(key: string, value: T, expiresAt: number): Promise<void> {
    const now = this.#now();
    for (const [k, r] of this.#records) if (r.expiresAt <= now) this.#records.delete(k);
    this.#records.set(key, { value, expiresAt });
    while (this.#records.size > this.#max) {
      const oldest = this.#records.keys().next().value;
      if (oldest === undefined) break;
      this.#records.delete(oldest);
    }
  }

  async get(key: string): Promise<T | undefined> {
    const record = this.#records.get(key);
    if (record === undefined) return undefined;
    if (record.expiresAt > this.#now()) return record.value;
    this.#records.delete(key);
    return undefined;
  }

  async take(key: string): Promise<T | undefined> {
    // Read and delete with no await between, so two takes cannot both find it.
    const record = this.#records.get(key);
    this.#records.delete(key);
    return record !== undefined && record.expiresAt > this.#now() ? record.value : undefined;
  }

  async remove(key: string): Promise<void> {
    this.#records.delete(key);
  }
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS gatehouse_expiring (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value JSONB NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (kind, key)
  )`,
  'CREATE INDEX IF NOT EXISTS gatehouse_expiring_expiry ON gatehouse_expiring (expires_at)',
];

/** In the shared PostgreSQL, one `kind` per use; expired rows are deleted as new ones are written. */
export class PgExpiringRecords<T> implements ExpiringRecords<T> {
  readonly #db: SharedPostgres;
  readonly #kind: string;
  readonly #now: () => number;
  /** Shown when the database cannot be reached ("the console sign-ins cannot be reached: …"). */
  readonly #what: string;

  constructor(db: SharedPostgres, kind: string, what: string, now: () => number = Date.now) {
    this.#db = db;
    this.#kind = kind;
    this.#now = now;
    this.#what = what;
  }

  put(key: string, value: T, expiresAt: number): Promise<void> {
    return reachable(this.#what, () => this.#put(key, value, expiresAt));
  }

  get(key: string): Promise<T | undefined> {
    return reachable(this.#what, () => this.#get(key));
  }

  take(key: string): Promise<T | undefined> {
    return reachable(this.#what, () => this.#take(key));
  }

  remove(key: string): Promise<void> {
    return reachable(this.#what, () => this.#remove(key));
  }

  async #put(key: string, value: T, expiresAt: number): Promise<void> {
    await this.#db.migrate('expiring', SCHEMA);
    await this.#db.pool.query(
      `INSERT INTO gatehouse_expiring (kind, key, value, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (kind, key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      [this.#kind, key, JSON.stringify(value), expiresAt],
    );
    await this.#db.pool.query('DELETE FROM gatehouse_expiring WHERE kind = $1 AND expires_at <= $2', [
      this.#kind,
      this.#now(),
    ]);
  }

  async #get(key: string): Promise<T | undefined> {
    await this.#db.migrate('expiring', SCHEMA);
    const { rows } = await this.#db.pool.query<{ value: T }>(
      'SELECT value FROM gatehouse_expiring WHERE kind = $1 AND key = $2 AND expires_at > $3',
      [this.#kind, key, this.#now()],
    );
    return rows[0]?.value;
  }

  async #take(key: string): Promise<T | undefined> {
    await this.#db.migrate('expiring', SCHEMA);
    const { rows } = await this.#db.pool.query<{ value: T; expires_at: string }>(
      'DELETE FROM gatehouse_expiring WHERE kind = $1 AND key = $2 RETURNING value, expires_at',
      [this.#kind, key],
    );
    const row = rows[0];
    return row !== undefined && Number(row.expires_at) > this.#now() ? row.value : undefined;
  }

  async #remove(key: string): Promise<void> {
    await this.#db.migrate('expiring', SCHEMA);
    await this.#db.pool.query('DELETE FROM gatehouse_expiring WHERE kind = $1 AND key = $2', [
      this.#kind,
      key,
    ]);
  }
}

/**
 * The records of one `kind`: shared when the gateway has storage.postgres, else in memory (at most
 * `max`). `what` names them when the database cannot be reached ("The console sign-ins (shared
 * PostgreSQL)").
 */
export function expiringRecords<T>(
  shared: SharedPostgres | null,
  kind: string,
  what: string,
  max: number,
): ExpiringRecords<T> {
  return shared === null ? new MemoryExpiringRecords<T>(max) : new PgExpiringRecords<T>(shared, kind, what);
}
