/**
 * Lantern's backend core: the database (migrated and, when empty, seeded) and the domain services
 * over it. Every door — the REST API, the web UI, the internal MCP server, the automation — is
 * built on one core and nothing else.
 */
import { randomBytes } from 'node:crypto';
import { migrate } from './db/schema.ts';
import { SEED_USERS, seedIfEmpty } from './db/seed.ts';
import { openSql, type Sql } from './db/sql.ts';
import { Accounts } from './domain/accounts.ts';
import type { Clock } from './domain/ids.ts';
import { Incidents } from './domain/incidents.ts';

export interface CoreOptions {
  /** A SQLite file (or `:memory:`), or a `postgres://` URL. */
  database: string;
  clock?: Clock;
  /** Passwords for the seeded users when the database is new; random ones otherwise. */
  seedPasswords?: Readonly<Record<string, string>>;
  logError?: (error: unknown) => void;
}

export interface LanternCore {
  readonly sql: Sql;
  readonly clock: Clock;
  readonly accounts: Accounts;
  readonly incidents: Incidents;
  /** The seeded users' passwords when this start seeded the database; undefined otherwise. */
  readonly seeded: Readonly<Record<string, string>> | undefined;
  readonly logError: (error: unknown) => void;
  close(): Promise<void>;
}

function randomPasswords(): Record<string, string> {
  return Object.fromEntries(SEED_USERS.map((u) => [u.email, randomBytes(12).toString('base64url')]));
}

export async function openCore(options: CoreOptions): Promise<LanternCore> {
  const clock = options.clock ?? (() => new Date());
  const sql = openSql(options.database);
  try {
    await migrate(sql);
    const passwords = options.seedPasswords ?? randomPasswords();
    const seeded = await seedIfEmpty(sql, { passwords, clock });
    return {
      sql,
      clock,
      accounts: new Accounts(sql, clock),
      incidents: new Incidents(sql, clock),
      seeded: seeded ? passwords : undefined,
      logError: options.logError ?? ((error) => process.stderr.write(`lantern: ${String(error)}\n`)),
      close: () => sql.close(),
    };
  } catch (error) {
    await sql.close().catch(() => {});
    throw error;
  }
}
