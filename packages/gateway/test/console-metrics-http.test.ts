/**
 * The upstreams and traffic pages over plain HTTP, used wrongly: signed out (sent to sign in), an
 * unknown upstream (a clear 404 naming the ones there are), a bad window or an unknown parameter
 * (a clear 400), metrics turned off (the upstreams page still serves, the traffic page says why
 * not) — and the gateway keeps serving. Also: the per-role figure exists where the gateway records
 * its metrics (/metrics exposes it), and the pages read the same registry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import {
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  tempStorage,
} from './helpers/harness.ts';

function yamlWith(storage: string, extra = ''): string {
  return `upstreams:\n${fixtureUpstreamYaml('alpha')}\nauth: { apiKeys: true }\napprovals: { approvers: [admin] }\npolicy:\n  groups:\n    all: { allow: [{ tools: ["*"] }] }\n  roles:\n    admin: { groups: [all] }\n    ops: { groups: [all] }\nstorage: { path: ${JSON.stringify(storage)} }\n${extra}`;
}

async function start(extra = ''): Promise<{ gw: TestGateway; base: string; cookie: string; ops: string }> {
  const storage = tempStorage();
  const store = new SqliteApiKeys(storage);
  const admin = store.create({ user: 'bob', roles: ['admin'] }).key;
  const ops = store.create({ user: 'olga', roles: ['ops', 'admin'] }).key;
  store.close();
  const gw = await startGateway(yamlWith(storage, extra));
  const base = new URL('/console', gw.url).toString();
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ key: admin }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { gw, base, cookie, ops };
}

describe('with metrics on', () => {
  let ctx: Awaited<ReturnType<typeof start>>;
  before(async () => {
    ctx = await start();
  });
  after(() => ctx?.gw.close());
  const get = (path: string) =>
    fetch(`${ctx.base}${path}`, { headers: { cookie: ctx.cookie }, redirect: 'manual' });

  it('sends a signed-out browser to sign in', async () => {
    for (const path of ['/upstreams', '/upstreams/live', '/upstreams/alpha', '/traffic', '/traffic/live']) {
      const response = await fetch(`${ctx.base}${path}`, { redirect: 'manual' });
      assert.equal(response.status, 303, path);
      assert.match(response.headers.get('location') ?? '', /^\/console\/login/);
    }
  });

  it('answers an unknown upstream with a 404 naming the upstreams there are', async () => {
    const response = await get('/upstreams/nope');
    assert.equal(response.status, 404);
    assert.equal(
      await response.text(),
      'There is no upstream "nope" in this configuration (upstreams: alpha).',
    );
    const escaped = await get(`/upstreams/${encodeURIComponent('<b>x</b>')}`);
    assert.equal(escaped.status, 404);
    assert.equal(escaped.headers.get('content-type'), 'text/plain; charset=UTF-8');
    assert.equal((await get('/upstreams/alpha')).status, 200, 'still serving');
  });

  it('answers a bad window or an unknown parameter with a 400 saying what is allowed', async () => {
    for (const path of ['/traffic?window=2d', '/traffic/live?window=', '/traffic?window=1d%3Cscript%3E']) {
      const response = await get(path);
      assert.equal(response.status, 400, path);
      assert.match(await response.text(), /^window must be one of 5m, 15m, 1h; "[^"]*" is not\.$/, path);
    }
    const twice = await get('/traffic?window=1h&window=5m');
    assert.equal(twice.status, 400);
    assert.equal(await twice.text(), 'Give window once; it was given 2 times.');
    const unknown = await get('/traffic?window=5m&role=ops');
    assert.equal(unknown.status, 400);
    assert.equal(await unknown.text(), 'The traffic page takes only "window"; not "role".');
    for (const path of ['/traffic', '/traffic?window=1h', '/traffic/live?window=5m'])
      assert.equal((await get(path)).status, 200, `${path}: still serving`);
  });

  it('serves the live parts and the script from /console/assets (nothing inline)', async () => {
    const page = await (await get('/upstreams')).text();
    assert.match(page, /<script type="module" src="\/console\/assets\/upstreams.js"><\/script>/);
    assert.doesNotMatch(page, /<script>|style="/);
    const script = await get('/assets/upstreams.js');
    assert.match(script.headers.get('content-type') ?? '', /text\/javascript/);
    assert.match(await script.text(), /data-live-src/);
    const live = await (await get('/upstreams/live')).text();
    assert.match(live, /<tr id="upstream-alpha">/);
    assert.doesNotMatch(live, /<html/);
    const traffic = await (await get('/traffic')).text();
    assert.doesNotMatch(traffic, /<script>|style="/);
  });

  it('records requests per role where the gateway records its metrics, and the page reads them', async () => {
    const client = await connectClient(
      ctx.gw.url,
      'modern',
      undefined,
      {},
      { authorization: `Bearer ${ctx.ops}` },
    );
    for (let i = 0; i < 3; i++)
      await client.callTool({ name: 'alpha_echo', arguments: { message: `m${i}` } });
    await client.callTool({ name: 'alpha_echo', arguments: {} }).catch(() => undefined);
    await client.close();
    const exposed = await (await fetch(new URL('/metrics', ctx.gw.url))).text();
    const count = (role: string, outcome: string) =>
      Number(
        new RegExp(
          `^gatehouse_role_request_duration_seconds_count\\{role="${role}",outcome="${outcome}"\\} (\\d+)$`,
          'm',
        ).exec(exposed)?.[1] ?? 0,
      );
    assert.equal(
      count('ops', 'ok'),
      3,
      exposed
        .split('\n')
        .filter((l) => l.includes('role_request_duration_seconds_count'))
        .join('\n'),
    );
    assert.equal(count('admin', 'ok'), 3, 'a caller with two roles counts under each');
    assert.equal(
      count('ops', 'tool_error'),
      1,
      exposed
        .split('\n')
        .filter((l) => l.includes('role_request_duration_seconds_count'))
        .join('\n'),
    );
    const page = await (await get('/traffic?window=5m')).text();
    assert.match(page, /<tr id="role-ops"><th scope="row">ops<\/th><td>4<\/td>[\s\S]*?<td>25%<\/td><\/tr>/);
    assert.match(page, /<tr id="tool-alpha_echo">[\s\S]*?<td>4<\/td>/);
  });
});

describe('with metrics off', () => {
  let ctx: Awaited<ReturnType<typeof start>>;
  before(async () => {
    ctx = await start('observability: { metrics: { enabled: false } }\n');
  });
  after(() => ctx?.gw.close());
  const get = (path: string) =>
    fetch(`${ctx.base}${path}`, { headers: { cookie: ctx.cookie }, redirect: 'manual' });

  it('still shows the upstreams, and says why there is no traffic', async () => {
    const upstreams = await get('/upstreams');
    assert.equal(upstreams.status, 200);
    assert.match(await upstreams.text(), /<tr id="upstream-alpha">[\s\S]*ready[\s\S]*metrics off/);
    const traffic = await get('/traffic');
    assert.equal(traffic.status, 404);
    assert.equal(
      await traffic.text(),
      'Metrics are off in this configuration (observability.metrics.enabled), so there is no traffic to show.',
    );
    const one = await get('/upstreams/alpha');
    assert.equal(one.status, 200);
    assert.match(
      await one.text(),
      /Resilience since the gateway started<\/h2>\s*<p class="muted">Metrics are off/,
    );
  });
});
