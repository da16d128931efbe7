/**
 * Console sign-ins: a random cookie value per browser (only its SHA-256 is kept), the principal it
 * signed in as, a CSRF token for its forms, and an expiry. Kept in memory (bounded: past
 * MAX_CONSOLE_SESSIONS the oldest sign-in is dropped; a restart signs everyone out), or with
 * storage.postgres in the shared database, so any replica serves the signed-in browser and a
 * sign-out through one replica holds on all at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '../../auth/principal.ts';
import type { ExpiringRecords } from '../../storage/expiring-records.ts';

export const CONSOLE_COOKIE = 'gatehouse_console';
const SESSION_MS = 8 * 3_600_000;
/** At most this many sign-ins in memory (one process). */
export const MAX_CONSOLE_SESSIONS = 10_000;

export interface ConsoleSession {
  readonly principal: Principal;
  readonly csrf: string;
  readonly expiresAt: number;
}

function hash(cookie: string): string {
  return createHash('sha256').update(cookie).digest('hex');
}

export class ConsoleSessions {
  readonly #records: ExpiringRecords<ConsoleSession>;
  readonly #now: () => number;

  constructor(records: ExpiringRecords<ConsoleSession>, now: () => number = Date.now) {
    this.#records = records;
    this.#now = now;
  }

  /** A new sign-in; the cookie value is returned once and kept only as a hash. */
  async open(principal: Principal): Promise<{ cookie: string; session: ConsoleSession }> {
    const cookie = randomBytes(32).toString('base64url');
    const session = {
      principal,
      csrf: randomBytes(24).toString('base64url'),
      expiresAt: this.#now() + SESSION_MS,
    };
    await this.#records.put(hash(cookie), session, session.expiresAt);
    return { cookie, session };
  }

  async get(cookie: string | undefined): Promise<ConsoleSession | undefined> {
    if (cookie === undefined || cookie === '') return undefined;
    return this.#records.get(hash(cookie));
  }

  async close(cookie: string | undefined): Promise<void> {
    if (cookie !== undefined && cookie !== '') await this.#records.remove(hash(cookie));
  }
}
