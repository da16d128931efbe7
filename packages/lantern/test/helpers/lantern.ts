/** A running Lantern on a test database, with known passwords and a token per seeded user. */
import { SEED_USERS } from '../../src/db/seed.ts';
import type { UserIdentity } from '../../src/domain/permissions.ts';
import { type RunningLantern, startLantern } from '../../src/server.ts';

export const TEST_PASSWORD = 'correct horse battery staple';
export const PASSWORDS = Object.fromEntries(SEED_USERS.map((u) => [u.email, TEST_PASSWORD]));

export const ALICE = 'alice@northwind.example';
export const BOB = 'bob@northwind.example';
export const CAROL = 'carol@northwind.example';
export const DAVE = 'dave@contoso.example';
export const OLIVIA = 'olivia@lantern.example';

export interface TestLantern {
  readonly lantern: RunningLantern;
  readonly url: string;
  /** An API token per seeded user's email. */
  readonly tokens: Readonly<Record<string, string>>;
  user(email: string): Promise<UserIdentity>;
  /** fetch against the REST API with a user's token (or `token: null` for none). */
  api(
    path: string,
    init?: RequestInit & { as?: string; token?: string | null; json?: unknown },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestLantern(database: string): Promise<TestLantern> {
  const lantern = await startLantern({ database, seedPasswords: PASSWORDS, logError: () => {} });
  const tokens: Record<string, string> = {};
  const user = async (email: string) => {
    const found = await lantern.core.accounts.userByEmail(email);
    if (found === undefined) throw new Error(`no seeded user ${email}`);
    return found;
  };
  for (const { email } of SEED_USERS) {
    const issued = await lantern.core.accounts.issueToken(
      { kind: 'user', user: await user(email), via: 'web' },
      'tests',
    );
    tokens[email] = issued.token;
  }
  return {
    lantern,
    url: lantern.url,
    tokens,
    user,
    api(path, init = {}) {
      const { as = BOB, token, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      const bearer = token === undefined ? tokens[as] : token;
      if (bearer !== null && bearer !== undefined) headers.set('authorization', `Bearer ${bearer}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${lantern.url}/api/v1${path}`, {
        ...rest,
        headers,
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
    },
    close: () => lantern.close(),
  };
}
