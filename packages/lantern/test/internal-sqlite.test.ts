/** The internal MCP server's incidents and analytics components on embedded SQLite (the default). */
import { after } from 'node:test';
import { sqliteDatabases } from './helpers/backends.ts';
import { internalSuite } from './suites/internal-suite.ts';

const databases = sqliteDatabases();
after(() => databases.cleanup());
internalSuite('sqlite', () => databases);
