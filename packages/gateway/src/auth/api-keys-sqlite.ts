/**
 * API keys in the embedded SQLite database (`storage.path`), for one gateway process and the CLI
 * beside it. SqliteApiKeys is synchronous (the CLI's demo set-up and tests use it directly);
 * SqliteApiKeyStore is the same store behind the asynchronous ApiKeyStore interface.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { openEmbeddedDb } from '../storage/embedded-db.ts';
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

export class SqliteApiKeys {
  private readonly db: DatabaseSync;
  private readonly byId: StatementSync;
  private readonly cache: KeyCache;

  constructor(path: string, options: { cacheMs?: number } = {}) {
    this.db = openEmbeddedDb(path);
    this.db.exec(`CREATE TABLE IF NOT EXISTS api_keys (
      id TEXT PRIMARY KEY,
      secret_hash TEXT NOT NULL,
      user TEXT NOT NULL,
      org TEXT,
      roles TEXT NOT NULL,
      created_at TEXT NOT NULL,
      revoked_at TEXT,
      description TEXT
    )`);
    this.byId = this.db.prepare('SELECT * FROM api_keys WHERE id = ?');
    this.cache = new KeyCache(options.cacheMs ?? KEY_CACHE_MS);
  }

  /** Creates a key; the returned `key` is the only time the secret exists outside the caller. */
  create(input: NewApiKey): CreatedApiKey {
    const { row, key } = newKeyRow(input);
    this.db
      .prepare(
        'INSERT INTO api_keys (id, secret_hash, user, org, roles, created_at, description) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(row.id, row.secret_hash, row.user, row.org, row.roles, row.created_at, row.description);
    return { key, info: toInfo(row) };
  }

  list(options: { includeRevoked?: boolean } = {}): ApiKeyInfo[] {
    const sql = options.includeRevoked
      ? 'SELECT * FROM api_keys ORDER BY created_at'
      : 'SELECT * FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at';
    return (this.db.prepare(sql).all() as unknown as ApiKeyRow[]).map(toInfo);
  }

  /** Revokes by id; false when there is no such active key. */
  revoke(id: string): boolean {
    const result = this.db
      .prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(new Date().toISOString(), id);
    this.cache.forget(id);
    return Number(result.changes) > 0;
  }

  /** The principal behind a presented key, or undefined for an unknown, wrong or revoked key. */
  verify(token: string): Principal | undefined {
    return this.cache.verifySync(token, (id) => this.byId.get(id) as unknown as ApiKeyRow | undefined);
  }

  close(): void {
    this.db.close();
  }
}

export class SqliteApiKeyStore implements ApiKeyStore {
  private readonly keys: SqliteApiKeys;

  constructor(path: string, options: { cacheMs?: number } = {}) {
    this.keys = new SqliteApiKeys(path, options);
  }

  async create(input: NewApiKey): Promise<CreatedApiKey> {
    return this.keys.create(input);
  }

  async list(options: { includeRevoked?: boolean } = {}): Promise<ApiKeyInfo[]> {
    return this.keys.list(options);
  }

  async revoke(id: string): Promise<boolean> {
    return this.keys.revoke(id);
  }

  async verify(token: string): Promise<Principal | undefined> {
    return this.keys.verify(token);
  }

  async close(): Promise<void> {
    this.keys.close();
  }
}
