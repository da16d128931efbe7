/**
 * The API-key store a configuration asks for: the shared PostgreSQL when `storage.postgres` is
 * set (the caller opened it: one pool per process), else the embedded database at `storage.path`.
 */
import type { StorageModel } from '../config/model-access.ts';
import type { SharedPostgres } from '../storage/postgres.ts';
import type { ApiKeyStore } from './api-keys.ts';
import { PgApiKeyStore } from './api-keys-pg.ts';
import { SqliteApiKeyStore } from './api-keys-sqlite.ts';

export function openApiKeyStore(
  storage: StorageModel,
  shared: SharedPostgres | null,
  options: { cacheMs?: number } = {},
): ApiKeyStore {
  if (storage.postgres === null) return new SqliteApiKeyStore(storage.path, options);
  if (shared === null) throw new Error('storage.postgres is set but the shared PostgreSQL was not opened');
  return new PgApiKeyStore(shared, options);
}
