/**
 * The storage backends the wallet suites run against. Each `open()` gives a fresh, migrated store
 * of its own (a temp SQLite file, or a PostgreSQL schema of its own), the environment a child
 * process needs to reach the same store, a way to open a second ledger on it, and raw SQL for
 * tests that tamper with the books. PostgreSQL needs GATEHOUSE_TEST_PG_URL (`source
 * scripts/services.sh`); as in the gateway's PG tests, its absence fails the run.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from '@gatehouse/kit/infra';
import pg from 'pg';
import { makeTempDir } from '../../../../scripts/test-temp-dir.ts';
import { PgLedger } from '../../src/ledger/pg-ledger.ts';
import { seedDemo } from '../../src/ledger/seed.ts';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.ts';
import type { Ledger } from '../../src/ledger/types.ts';

export interface OpenedStore {
  ledger: Ledger;
  /** Environment for a wallet process on the same store (no seeding: the test decides). */
  env: Record<string, string>;
  /** Another, independent ledger on the same store (another "process"). */
  reopen(): Promise<Ledger>;
  /** Runs SQL directly against the store, bypassing the ledger. */
  raw(sql: string): Promise<void>;
}

export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  open(options?: { seed?: boolean }): Promise<OpenedStore>;
  /** Drops everything the backend created. */
  cleanup(): Promise<void>;
}

export function sqliteBackend(): Backend {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    async open(options = {}) {
      const dir = makeTempDir('wallet-test-');
      dirs.push(dir);
      const path = join(dir, 'wallet.db');
      const ledger = new SqliteLedger(openSqlite(path));
      await ledger.migrate();
      if (options.seed) await seedDemo(ledger);
      return {
        ledger,
        env: { WALLET_DB_PATH: path, WALLET_SEED: 'none' },
        async reopen() {
          const again = new SqliteLedger(openSqlite(path));
          await again.migrate();
          return again;
        },
        async raw(sql) {
          const db = openSqlite(path);
          try {
            db.exec(sql);
          } finally {
            db.close();
          }
        },
      };
    },
    async cleanup() {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const PG_URL = process.env.GATEHOUSE_TEST_PG_URL;

export function pgBackend(url: string): Backend {
  const schemas: string[] = [];
  const ledgers: Ledger[] = [];
  let counter = 0;
  async function ledgerOn(schema: string): Promise<Ledger> {
    const ledger = PgLedger.connect(url, { schema, poolSize: 20 });
    ledgers.push(ledger);
    await ledger.migrate();
    return ledger;
  }
  return {
    name: 'postgres',
    async open(options = {}) {
      counter += 1;
      const schema = `wallet_test_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
      schemas.push(schema);
      const ledger = await ledgerOn(schema);
      if (options.seed) await seedDemo(ledger);
      return {
        ledger,
        env: { WALLET_DATABASE_URL: url, WALLET_DATABASE_SCHEMA: schema, WALLET_SEED: 'none' },
        reopen: () => ledgerOn(schema),
        async raw(sql) {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            await client.query(`SET search_path TO "${schema}"`);
            await client.query(sql);
          } finally {
            await client.end();
          }
        },
      };
    },
    async cleanup() {
      await Promise.allSettled(ledgers.map((l) => l.close()));
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
