/**
 * A fresh PostgreSQL schema per test, on the throwaway server of scripts/services.sh
 * (GATEHOUSE_TEST_PG_URL): the returned URL sets `search_path` to it, so every table a store
 * creates lands there and tests running at once never see each other's rows. `dropPgSchemas()`
 * removes what this process made. Without GATEHOUSE_TEST_PG_URL the test fails (it does not skip).
 */
import assert from 'node:assert/strict';
import pg from 'pg';

const made: string[] = [];

export function testPgUrl(): string {
  const url = process.env.GATEHOUSE_TEST_PG_URL;
  assert.ok(url, 'GATEHOUSE_TEST_PG_URL is not set: run `source scripts/services.sh` first');
  return url;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPgUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new, empty schema; the URL puts it first on the search path. */
export async function freshPgUrl(label = 'gh'): Promise<string> {
  const schema = `${label}_${process.pid}_${made.length}_${Math.random().toString(36).slice(2, 8)}`;
  await admin(`CREATE SCHEMA "${schema}"`);
  made.push(schema);
  const url = new URL(testPgUrl());
  url.searchParams.set('options', `-c search_path=${schema},public`);
  return url.toString();
}

export async function dropPgSchemas(): Promise<void> {
  const schemas = made.splice(0);
  for (const schema of schemas) await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
