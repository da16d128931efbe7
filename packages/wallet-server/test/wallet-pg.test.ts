/**
 * The wallet suites on a real PostgreSQL — the same suites wallet-sqlite.test.ts runs. Needs
 * GATEHOUSE_TEST_PG_URL (`source scripts/services.sh` starts a throwaway server and sets it);
 * without it the run fails rather than skips. Each store is a schema of its own, dropped at the end.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { type Backend, PG_URL, pgBackend } from './helpers/backends.ts';
import { concurrencySuite } from './suites/concurrency-suite.ts';
import { processSuite } from './suites/process-suite.ts';
import { recordsSuite } from './suites/records-suite.ts';
import { toolsSuite } from './suites/tools-suite.ts';

const backend = PG_URL ? pgBackend(PG_URL) : undefined;
after(() => backend?.cleanup());

function requireBackend(): Backend {
  assert.ok(backend, 'GATEHOUSE_TEST_PG_URL is not set: run `source scripts/services.sh` first');
  return backend;
}

it('has a PostgreSQL server to test against (GATEHOUSE_TEST_PG_URL)', () => {
  requireBackend();
});

toolsSuite(requireBackend);
recordsSuite(requireBackend);
concurrencySuite(requireBackend);
processSuite(requireBackend);
