/**
 * The wallet suites on embedded SQLite: tools and error paths, records (history, resources,
 * health), concurrency and pagination, the standalone process and the gateway.
 * wallet-pg.test.ts runs the same suites on PostgreSQL.
 */
import { after } from 'node:test';
import { sqliteBackend } from './helpers/backends.ts';
import { concurrencySuite } from './suites/concurrency-suite.ts';
import { processSuite } from './suites/process-suite.ts';
import { recordsSuite } from './suites/records-suite.ts';
import { toolsSuite } from './suites/tools-suite.ts';

const backend = sqliteBackend();
after(() => backend.cleanup());

toolsSuite(() => backend);
recordsSuite(() => backend);
concurrencySuite(() => backend);
processSuite(() => backend);
