/**
 * Database handles for domain servers: embedded SQLite (Node's built-in `node:sqlite`, WAL mode,
 * a busy timeout so concurrent writers wait instead of failing) and PostgreSQL pools (`pg`), plus
 * the health checks for each.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { HealthCheck } from '../health.ts';

/**
 * Opens (creating when missing) a server's SQLite file. A new file is readable by its owner only
 * (0600; SQLite gives its -wal and -shm files the same mode): it holds the server's business
 * data. A file that exists keeps the permissions its operator gave it.
 */
export function openSqlite(path: string): DatabaseSync {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, '', { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const db = new DatabaseSync(path);
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;',
  );
  return db;
}

export function sqliteCheck(db: DatabaseSync): HealthCheck {
  return async () => {
    db.prepare('SELECT 1').get();
    return undefined;
  };
}

export function createPgPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 10_000 });
  // An idle client's connection error must not crash the server; the next query reports it.
  pool.on('error', () => {});
  return pool;
}

export function pgCheck(pool: pg.Pool): HealthCheck {
  return async () => {
    await pool.query('SELECT 1');
    return `${pool.totalCount} connections`;
  };
}
