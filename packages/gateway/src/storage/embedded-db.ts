/**
 * The embedded SQLite database (`storage.path`) that API keys, approvals, pins and — unless
 * PostgreSQL is configured — the audit log share. Every store opens it the same way: the folder
 * created, write-ahead logging so the CLI and the gateway can use it at once, and a busy timeout
 * so a writer in another process waits instead of failing.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * Makes the database file's folder and, when the file does not exist yet, the file itself readable
 * by its owner only (0600): it holds the audit log, key hashes and approvals. SQLite gives the
 * `-wal` and `-shm` files it creates the database file's permissions. A file that exists keeps the
 * permissions its operator gave it.
 */
export function createOwnerOnlyDbFile(path: string): void {
  if (path === ':memory:' || path.startsWith('file:')) return;
  mkdirSync(dirname(path), { recursive: true });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

export function openEmbeddedDb(path: string): DatabaseSync {
  createOwnerOnlyDbFile(path);
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
  return db;
}
