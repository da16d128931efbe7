/**
 * The embedded database holds the audit log, key hashes and approvals: a new one is readable by
 * its owner only, its write-ahead log too; a file an operator made keeps its permissions.
 */
import assert from 'node:assert/strict';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { SqliteAuditStore } from '../src/audit/sqlite-store.ts';
import { openEmbeddedDb } from '../src/storage/embedded-db.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('embedded database permissions', () => {
  it('creates a new database owner-only, with its write-ahead log', () => {
    const path = join(makeTempDir('gatehouse-perms-'), 'nested', 'gatehouse.db');
    const db = openEmbeddedDb(path);
    try {
      db.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);');
      assert.equal(modeOf(path), 0o600);
      assert.equal(modeOf(`${path}-wal`), 0o600);
    } finally {
      db.close();
    }
  });

  it('creates the audit store owner-only too', async () => {
    const path = join(makeTempDir('gatehouse-perms-'), 'audit.db');
    const store = new SqliteAuditStore({ path });
    await store.init();
    try {
      assert.equal(modeOf(path), 0o600);
    } finally {
      await store.close();
    }
  });

  it('leaves the permissions of a file that exists as they are', () => {
    const path = join(makeTempDir('gatehouse-perms-'), 'gatehouse.db');
    writeFileSync(path, '');
    chmodSync(path, 0o640);
    openEmbeddedDb(path).close();
    assert.equal(modeOf(path), 0o640);
  });
});
