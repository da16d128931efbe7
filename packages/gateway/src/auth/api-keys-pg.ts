/**
 * API keys in the shared PostgreSQL of `storage.postgres`: every replica reads the same keys, so
 * a key made or revoked through one (or the CLI) holds on all of them — a revocation within the
 * key cache's time (KEY_CACHE_MS). When the database cannot be reached, every method fails with
 * StoreUnavailable and the next call tries again.
 */
import type { SharedPostgres } from '../storage/postgres.ts';
import { reachable } from '../storage/unavailable.ts';
import {
  type ApiKeyInfo,
  type ApiKeyRow,
  type ApiKeyStore,
  type CreatedApiKey,
  KEY_CACHE_MS,
  KeyCache,
  type NewApiKey,
  newKeyRow,
  toInfo,
} from './api-keys.ts';
import type { Principal } from './principal.ts';

const TABLE = 'gatehouse_api_keys';
const WHAT = 'The API keys (shared PostgreSQL)';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ${TABLE} (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    "user" TEXT NOT NULL,
    org TEXT,
    roles TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    description TEXT
  )`,
];

export class PgApiKeyStore implements ApiKeyStore {
  private readonly shared: SharedPostgres;
  private readonly cache: KeyCache;

  constructor(shared: SharedPostgres, options: { cacheMs?: number } = {}) {
    this.shared = shared;
    this.cache = new KeyCache(options.cacheMs ?? KEY_CACHE_MS);
  }

  /** Runs `work` once the table exists; a failure to reach the database is StoreUnavailable. */
  private query<T>(work: () => Promise<T>): Promise<T> {
    return reachable(WHAT, async () => {
      await this.shared.migrate(TABLE, SCHEMA);
      return work();
    });
  }

  create(input: NewApiKey): Promise<CreatedApiKey> {
    const { row, key } = newKeyRow(input);
    return this.query(async () => {
      await this.shared.pool.query(
        `INSERT INTO ${TABLE} (id, secret_hash, "user", org, roles, created_at, description)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [row.id, row.secret_hash, row.user, row.org, row.roles, row.created_at, row.description],
      );
      return { key, info: toInfo(row) };
    });
  }

  list(options: { includeRevoked?: boolean } = {}): Promise<ApiKeyInfo[]> {
    const sql = options.includeRevoked
      ? `SELECT * FROM ${TABLE} ORDER BY created_at`
      : `SELECT * FROM ${TABLE} WHERE revoked_at IS NULL ORDER BY created_at`;
    return this.query(async () => (await this.shared.pool.query<ApiKeyRow>(sql)).rows.map(toInfo));
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.query(() =>
      this.shared.pool.query(`UPDATE ${TABLE} SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, [
        new Date().toISOString(),
        id,
      ]),
    );
    this.cache.forget(id);
    return (result.rowCount ?? 0) > 0;
  }

  verify(token: string): Promise<Principal | undefined> {
    return this.cache.verify(token, (id) =>
      this.query(
        async () =>
          (await this.shared.pool.query<ApiKeyRow>(`SELECT * FROM ${TABLE} WHERE id = $1`, [id])).rows[0],
      ),
    );
  }

  /** The shared pool belongs to whoever opened it (access.ts, the CLI). */
  async close(): Promise<void> {}
}
