/**
 * The REST API on a real PostgreSQL — the suite rest-sqlite.test.ts runs. Needs
 * GATEHOUSE_TEST_PG_URL (`source scripts/services.sh`); without it the run fails, not skips.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { PG_URL, postgresDatabases, type TestDatabases } from './helpers/backends.ts';
import { restSuite } from './suites/rest-suite.ts';

const databases = PG_URL ? postgresDatabases(PG_URL) : undefined;
after(() => databases?.cleanup());

function requireDatabases(): TestDatabases {
  assert.ok(databases, 'GATEHOUSE_TEST_PG_URL is not set: run `source scripts/services.sh` first');
  return databases;
}

it('has a PostgreSQL server to test against (GATEHOUSE_TEST_PG_URL)', () => {
  requireDatabases();
});

restSuite('postgres', requireDatabases);
