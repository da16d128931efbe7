/**
 * The internal MCP server's incidents and analytics components on a real PostgreSQL — the suite
 * internal-sqlite.test.ts runs (the statistics are SQL of their own there). Needs
 * GATEHOUSE_TEST_PG_URL (`source scripts/services.sh`); without it the run fails, not skips.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { PG_URL, postgresDatabases, type TestDatabases } from './helpers/backends.ts';
import { internalSuite } from './suites/internal-suite.ts';

const databases = PG_URL ? postgresDatabases(PG_URL) : undefined;
after(() => databases?.cleanup());

function requireDatabases(): TestDatabases {
  assert.ok(databases, 'GATEHOUSE_TEST_PG_URL is not set: run `source scripts/services.sh` first');
  return databases;
}

it('has a PostgreSQL server to test against (GATEHOUSE_TEST_PG_URL)', () => {
  requireDatabases();
});

internalSuite('postgres', requireDatabases);
