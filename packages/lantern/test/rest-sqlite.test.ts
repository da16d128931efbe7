/** The REST API on embedded SQLite (the default). */
import { after } from 'node:test';
import { sqliteDatabases } from './helpers/backends.ts';
import { restSuite } from './suites/rest-suite.ts';

const databases = sqliteDatabases();
after(() => databases.cleanup());
restSuite('sqlite', () => databases);
