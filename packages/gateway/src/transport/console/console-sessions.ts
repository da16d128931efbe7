/**
 * Console sign-ins: a random cookie value per browser (only its SHA-256 is kept, in memory), the
 * principal it signed in as, a CSRF token for its forms, and an expiry. Bounded: past
 * MAX_SESSIONS the oldest sign-in is dropped. A restart signs everyone out.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '../../auth/principal.ts';

export const CONSOLE_COOKIE = 'gatehouse_console';
const SESSION_MS = 8 * 3_600_000;
const MAX_SESSIONS = 10_000;

export interface ConsoleSession {
  readonly principal: Principal;
  readonly csrf: string;
  readonly expiresAt: number;
}

function hash(cookie: string): string {
  return createHash('sha256').update(cookie).digest('hex');
}

export class ConsoleSessions {
  readonly #sessions = new Map<string, ConsoleSession>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** A new sign-in; the cookie value is returned once and kept only as a hash. */
  open(principal: Principal): { cookie: string; session: ConsoleSession } {
    const cookie = randomBytes(32).toString('base64url');
    const session = {
      principal,
      csrf: randomBytes(24).toString('base64url'),
      expiresAt: this.#now() + SESSION_MS,
    };
    this.#sessions.set(hash(cookie), session);
    while (this.#sessions.size > MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    return { cookie, session };
  }

  get(cookie: string | undefined): ConsoleSession | undefined {
    if (cookie === undefined || cookie === '') return undefined;
    const key = hash(cookie);
    const session = this.#sessions.get(key);
    if (session === undefined) return undefined;
    if (session.expiresAt <= this.#now()) {
      this.#sessions.delete(key);
      return undefined;
    }
    return session;
  }

  close(cookie: string | undefined): void {
    if (cookie !== undefined) this.#sessions.delete(hash(cookie));
  }

  get size(): number {
    return this.#sessions.size;
  }
}
