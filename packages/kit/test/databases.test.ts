/**
 * A domain server's SQLite file holds its business data: a new one is readable by its owner only,
 * its write-ahead log too; a file an operator made keeps its permissions.
 */
import assert from 'node:assert/strict';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { openSqlite } from '../src/infra/databases.ts';

const dir = makeTempDir('gatehouse-kit-db-');
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('openSqlite', () => {
  it('creates a new database owner-only, with its write-ahead log', () => {
    const path = join(dir, 'nested', 'server.db');
    const db = openSqlite(path);
    try {
      db.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);');
      assert.equal(modeOf(path), 0o600);
      assert.equal(modeOf(`${path}-wal`), 0o600);
    } finally {
      db.close();
    }
  });

  it('leaves the permissions of a file that exists as they are', () => {
    const path = join(dir, 'existing.db');
    writeFileSync(path, '');
    chmodSync(path, 0o640);
    openSqlite(path).close();
    assert.equal(modeOf(path), 0o640);
  });
});
