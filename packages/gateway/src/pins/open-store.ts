/**
 * The pin store of a configuration: the shared PostgreSQL with `storage.postgres` (its pool,
 * opened once per process by the caller — `access.shared` in a gateway, the CLI's own), else the
 * embedded database at `storage.path`.
 */
import type { GatewayModel } from '../config/model.ts';
import type { SharedPostgres } from '../storage/postgres.ts';
import type { PinStore } from './store.ts';
import { PgPinStore } from './store-pg.ts';
import { SqlitePinStore } from './store-sqlite.ts';

export function openPinStore(model: GatewayModel, shared: SharedPostgres | null): PinStore {
  if (model.storage.postgres === null) return new SqlitePinStore(model.storage.path);
  if (shared === null)
    throw new Error('storage.postgres is configured but the shared PostgreSQL is not open');
  return new PgPinStore(shared);
}
