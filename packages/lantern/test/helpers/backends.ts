/**
 * Where a Lantern under test keeps its data: a fresh SQLite file, or a PostgreSQL schema of its
 * own (GATEHOUSE_TEST_PG_URL, from `source scripts/services.sh`; its absence fails the PostgreSQL
 * file rather than skipping it). `cleanup()` removes everything made.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { makeTempDir } from '../../../../scripts/test-temp-dir.ts';

export interface TestDatabases {
  readonly name: 'sqlite' | 'postgres';
  /** A database location for `openCore({ database })`, fresh each call. */
  fresh(): Promise<string>;
  cleanup(): Promise<void>;
}

export function sqliteDatabases(): TestDatabases {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    async fresh() {
      const dir = makeTempDir('lantern-test-');
      dirs.push(dir);
      return join(dir, 'lantern.db');
    },
    async cleanup() {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const PG_URL = process.env.GATEHOUSE_TEST_PG_URL;

export function postgresDatabases(url: string): TestDatabases {
  const schemas: string[] = [];
  async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }
  return {
    name: 'postgres',
    async fresh() {
      const schema = `lantern_test_${process.pid}_${schemas.length}_${Math.random().toString(36).slice(2, 8)}`;
      schemas.push(schema);
      await admin((c) => c.query(`CREATE SCHEMA "${schema}"`));
      const located = new URL(url);
      located.searchParams.set('options', `-c search_path=${schema}`);
      return located.toString();
    },
    async cleanup() {
      await admin(async (c) => {
        for (const schema of schemas) await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      });
    },
  };
}
