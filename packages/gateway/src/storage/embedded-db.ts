/**
 * The embedded SQLite database (`storage.path`) that API keys, approvals, pins and — unless
 * PostgreSQL is configured — the audit log share. Every store opens it the same way: the folder
 * created, write-ahead logging so the CLI and the gateway can use it at once, and a busy timeout
 * so a writer in another process waits instead of failing.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export function openEmbeddedDb(path: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
  return db;
}
