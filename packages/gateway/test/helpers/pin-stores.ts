/**
 * The pin store backends a test runs against: the embedded SQLite file and a real PostgreSQL
 * (a fresh schema per opening, GATEHOUSE_TEST_PG_URL). `open(n)` gives n stores on one database,
 * each with its own connection pool where the backend has one — n writers, as n replicas are.
 */

import type { PinStore } from '../../src/pins/store.ts';
import { PgPinStore } from '../../src/pins/store-pg.ts';
import { SqlitePinStore } from '../../src/pins/store-sqlite.ts';
import { openSharedPostgres, type SharedPostgres } from '../../src/storage/postgres.ts';
import { tempStorage } from './harness.ts';
import { dropPgSchemas, freshPgUrl } from './pg-schema.ts';

export interface PinBackend {
  name: string;
  /** `count` stores on one fresh database. */
  open(count: number): Promise<PinStore[]>;
  /** Closes what `open` opened and drops its schemas. */
  cleanup(): Promise<void>;
}

function sqliteBackend(): PinBackend {
  const opened: PinStore[] = [];
  return {
    name: 'SQLite',
    async open(count) {
      const path = tempStorage();
      const stores = Array.from({ length: count }, () => new SqlitePinStore(path));
      opened.push(...stores);
      return stores;
    },
    async cleanup() {
      for (const store of opened.splice(0)) await store.close();
    },
  };
}

function postgresBackend(): PinBackend {
  const pools: SharedPostgres[] = [];
  return {
    name: 'PostgreSQL',
    async open(count) {
      const url = await freshPgUrl('pins');
      const shared = Array.from({ length: count }, () => openSharedPostgres({ url, poolSize: 4 }));
      pools.push(...shared);
      return shared.map((s) => new PgPinStore(s));
    },
    async cleanup() {
      for (const pool of pools.splice(0)) await pool.close();
      await dropPgSchemas();
    },
  };
}

export const BACKENDS: readonly PinBackend[] = [sqliteBackend(), postgresBackend()];
