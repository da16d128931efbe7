/**
 * The console over plain HTTP, used wrongly: signed out (sent to the sign-in page, nothing
 * served), a form without the session's CSRF token (refused, nothing changed), a foreign Origin
 * (refused as on the MCP endpoint), bad ids and bad filters (a clear page, still serving), and
 * its response headers (CSP, no caching, a cookie scoped to /console).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { fixtureUpstreamYaml, startGateway, type TestGateway, tempStorage } from './helpers/harness.ts';

let gw: TestGateway;
let admin = '';
let base = '';

before(async () => {
  const storage = tempStorage();
  const store = new SqliteApiKeys(storage);
  admin = store.create({ user: 'bob', roles: ['admin'] }).key;
  store.close();
  gw = await startGateway(
    `upstreams:\n${fixtureUpstreamYaml('alpha')}\nauth: { apiKeys: true }\napprovals: { approvers: [admin] }\npolicy:\n  groups:\n    all: { allow: [{ tools: ["*"] }] }\n  roles:\n    admin: { groups: [all] }\nstorage: { path: ${JSON.stringify(storage)} }\n`,
  );
  base = new URL('/console', gw.url).toString();
});
after(() => gw?.close());

async function signedIn(): Promise<{ cookie: string; csrf: string; login: Response }> {
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ key: admin }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const page = await (await fetch(`${base}/keys`, { headers: { cookie } })).text();
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '', login };
}

it('sends a signed-out browser to sign in, for pages and forms alike', async () => {
  for (const [method, path] of [
    ['GET', '/approvals'],
    ['GET', '/audit?who=x'],
    ['POST', '/keys'],
  ] as const) {
    const response = await fetch(`${base}${path}`, { method, redirect: 'manual' });
    assert.equal(response.status, 303, `${method} ${path}`);
    assert.match(response.headers.get('location') ?? '', /^\/console\/login/);
  }
});

it('scopes its cookie to /console and sends a strict CSP and no caching', async () => {
  const { login, cookie } = await signedIn();
  const set = login.headers.get('set-cookie') ?? '';
  assert.match(set, /HttpOnly/i);
  assert.match(set, /SameSite=Strict/i);
  assert.match(set, /Path=\/console/);
  const page = await fetch(`${base}/approvals`, { headers: { cookie } });
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'.*script-src 'self'/);
  assert.equal(page.headers.get('cache-control'), 'no-store');
});

it('refuses a form without the session CSRF token, and creates nothing', async () => {
  const { cookie, csrf } = await signedIn();
  const before = (await (await fetch(`${base}/keys`, { headers: { cookie } })).text()).match(/<tr>/g)?.length;
  const forged = await fetch(`${base}/keys`, {
    method: 'POST',
    headers: { cookie },
    body: new URLSearchParams({ user: 'mallory', roles: 'admin', csrf: `${csrf}x` }),
  });
  assert.equal(forged.status, 403);
  const after = (await (await fetch(`${base}/keys`, { headers: { cookie } })).text()).match(/<tr>/g)?.length;
  assert.equal(after, before);
});

it('refuses a request from another origin, as the MCP endpoint does', async () => {
  const { cookie, csrf } = await signedIn();
  const response = await fetch(`${base}/keys`, {
    method: 'POST',
    headers: { cookie, origin: 'https://evil.example' },
    body: new URLSearchParams({ user: 'mallory', roles: 'admin', csrf }),
  });
  assert.equal(response.status, 403);
});

it('answers bad ids and bad input with a clear page and keeps serving', async () => {
  const { cookie, csrf } = await signedIn();
  const missing = await fetch(`${base}/approvals/apr_nope`, {
    method: 'POST',
    headers: { cookie },
    body: new URLSearchParams({ verdict: 'approve', csrf }),
  });
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /No such request/);
  for (const seq of ['0', 'abc', '999999']) {
    const record = await fetch(`${base}/audit/${seq}`, { headers: { cookie } });
    assert.equal(record.status, 404);
    assert.match(await record.text(), /There is no audit record/);
  }
  const noRoles = await fetch(`${base}/keys`, {
    method: 'POST',
    headers: { cookie },
    body: new URLSearchParams({ user: 'carol', roles: ' , ', csrf }),
  });
  assert.equal(noRoles.status, 422);
  const badFilter = await fetch(`${base}/audit?status=bogus&since=not-a-time`, { headers: { cookie } });
  assert.equal(badFilter.status, 200);
  assert.equal((await fetch(`${base}/nowhere`, { headers: { cookie } })).status, 404);
  assert.equal((await fetch(`${base}/approvals`, { headers: { cookie } })).status, 200);
});

it('exports the filtered audit records as JSON lines', async () => {
  const { cookie } = await signedIn();
  const exported = await fetch(`${base}/audit/export?target=console*`, { headers: { cookie } });
  assert.equal(exported.headers.get('content-type'), 'application/x-ndjson; charset=utf-8');
  const lines = (await exported.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { method: string; seq: number });
  assert.ok(
    lines.some((l) => l.method === 'console/login'),
    'the sign-ins are audited',
  );
  assert.ok(
    lines.every((l, i) => i === 0 || l.seq > (lines[i - 1]?.seq ?? 0)),
    'oldest first',
  );
});
