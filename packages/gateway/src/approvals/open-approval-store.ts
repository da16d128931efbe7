/**
 * The approval queue a configuration asks for: the shared PostgreSQL when `storage.postgres` is
 * set (the caller opened it: one pool per process), else the embedded database at `storage.path`.
 */
import type { StorageModel } from '../config/model-access.ts';
import type { SharedPostgres } from '../storage/postgres.ts';
import type { ApprovalStore } from './approval-store.ts';
import { PgApprovalStore } from './approval-store-pg.ts';
import { SqliteApprovalStore } from './approval-store-sqlite.ts';

export function openApprovalStore(
  storage: StorageModel,
  shared: SharedPostgres | null,
  options: { ttlSeconds?: number; clock?: () => number } = {},
): ApprovalStore {
  if (storage.postgres === null) return new SqliteApprovalStore(storage.path, options);
  if (shared === null) throw new Error('storage.postgres is set but the shared PostgreSQL was not opened');
  return new PgApprovalStore(shared, options);
}
