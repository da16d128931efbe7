/**
 * The two places the gateway keeps API keys and approvals — the embedded SQLite database and the
 * shared PostgreSQL of storage.postgres — as a list the store tests run over. Each `replicas()`
 * opens two stores on ONE database, the way two processes (SQLite: the gateway and the CLI) or
 * two replicas (PostgreSQL) see it; PostgreSQL gets a fresh schema and a pool per store.
 */
import type { ApprovalStore } from '../../src/approvals/approval-store.ts';
import { PgApprovalStore } from '../../src/approvals/approval-store-pg.ts';
import { SqliteApprovalStore } from '../../src/approvals/approval-store-sqlite.ts';
import type { ApiKeyStore } from '../../src/auth/api-keys.ts';
import { PgApiKeyStore } from '../../src/auth/api-keys-pg.ts';
import { SqliteApiKeyStore } from '../../src/auth/api-keys-sqlite.ts';
import { openSharedPostgres, type SharedPostgres } from '../../src/storage/postgres.ts';
import { tempStorage } from './harness.ts';
import { freshPgUrl } from './pg-schema.ts';

export interface Replicas<T> {
  a: T;
  b: T;
  close(): Promise<void>;
}

export interface StoreBackend {
  name: string;
  keys(options?: { cacheMs?: number }): Promise<Replicas<ApiKeyStore>>;
  approvals(options?: { ttlSeconds?: number; clock?: () => number }): Promise<Replicas<ApprovalStore>>;
}

async function pgPair<T extends { close(): Promise<void> }>(
  open: (shared: SharedPostgres) => T,
): Promise<Replicas<T>> {
  const url = await freshPgUrl('stores');
  const pools = [openSharedPostgres({ url, poolSize: 4 }), openSharedPostgres({ url, poolSize: 4 })] as const;
  const [a, b] = pools.map(open) as [T, T];
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      for (const pool of pools) await pool.close();
    },
  };
}

function sqlitePair<T extends { close(): Promise<void> }>(open: (path: string) => T): Replicas<T> {
  const path = tempStorage();
  const a = open(path);
  const b = open(path);
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
    },
  };
}

export const STORE_BACKENDS: StoreBackend[] = [
  {
    name: 'SQLite (storage.path)',
    keys: async (options = {}) => sqlitePair((path) => new SqliteApiKeyStore(path, options)),
    approvals: async (options = {}) => sqlitePair((path) => new SqliteApprovalStore(path, options)),
  },
  {
    name: 'PostgreSQL (storage.postgres)',
    keys: (options = {}) => pgPair((shared) => new PgApiKeyStore(shared, options)),
    approvals: (options = {}) => pgPair((shared) => new PgApprovalStore(shared, options)),
  },
];
