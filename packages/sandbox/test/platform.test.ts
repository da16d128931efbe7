/**
 * The sandbox platform API through its routes: the same seed gives the same world, the catalog
 * and health agree with the seeded scenarios, deploy filters and cursors page the whole history,
 * runbook search ranks sensibly, restart and rollback change state once per Idempotency-Key, and
 * auth and the fault knobs apply as for every sandbox service.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSandboxApp } from '../src/app.ts';
import { startSandbox } from '../src/server.ts';
import { createPlatformService } from '../src/services/platform.ts';

const NOW = new Date('2026-11-21T00:00:00Z');
const AUTH = { authorization: 'Bearer sandbox-token' };

/** A sandbox with only the platform API and a clock the test moves. */
function world(seed = 20261121) {
  let at = NOW.getTime();
  const { app } = createSandboxApp({
    seed,
    now: NOW,
    factories: [(options) => createPlatformService(options, () => new Date(at))],
  });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await app.request(`/platform${path}`, {
      method,
      headers: { ...AUTH, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: test reads JSON answers field by field
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown, headers?: Record<string, string>) =>
      call('POST', path, body, headers),
    advance: (ms: number) => {
      at += ms;
    },
    app,
  };
}

const NAMES = [
  'checkout-api',
  'payments-gateway',
  'inventory-service',
  'search-api',
  'auth-service',
  'notifications-worker',
  'order-events',
  'web-frontend',
  'billing-sync',
  'recommendations',
  'media-cdn',
  'ledger-db',
];

// biome-ignore lint/suspicious/noExplicitAny: deploy records from JSON
async function allDeploys(w: ReturnType<typeof world>, query = ''): Promise<any[]> {
  const out = [];
  let cursor: string | null = null;
  do {
    const sep = query ? '&' : '';
    const page = await w.get(`/v1/deploys?${query}${sep}limit=7${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(page.status, 200);
    out.push(...page.body.data);
    cursor = page.body.next_cursor;
    assert.equal(page.body.has_more, cursor !== null);
  } while (cursor !== null);
  return out;
}

describe('platform API: seeded world', () => {
  it('gives the same world for the same seed and another for another seed', async () => {
    const [a, b, c] = [world(), world(), world(7)];
    for (const path of [
      '/v1/services',
      '/v1/deploys?limit=100',
      '/v1/runbooks?q=restart',
      '/v1/services/web-frontend/health',
    ]) {
      assert.deepEqual((await a.get(path)).body, (await b.get(path)).body, path);
    }
    assert.notDeepEqual(
      (await a.get('/v1/deploys?limit=100')).body,
      (await c.get('/v1/deploys?limit=100')).body,
    );
  });

  it('lists the twelve Northwind services with owners, SLOs and dependencies', async () => {
    const w = world();
    const { body } = await w.get('/v1/services');
    assert.deepEqual(body.data.map((s: { name: string }) => s.name).sort(), [...NAMES].sort());
    for (const service of body.data) {
      assert.ok(
        ['payments', 'storefront', 'platform', 'data', 'identity', 'fulfilment'].includes(service.team),
      );
      assert.ok(service.slo.availability_target_pct > 98 && service.slo.latency_p99_target_ms > 0);
      for (const dependency of service.dependencies) assert.ok(NAMES.includes(dependency), dependency);
      assert.match(service.on_call.rotation, /^[a-z-]+$/);
    }
    const payments = await w.get('/v1/services?team=payments');
    assert.deepEqual(
      payments.body.data.map((s: { name: string }) => s.name),
      ['payments-gateway', 'billing-sync'],
    );
    const one = await w.get('/v1/services/checkout-api');
    assert.equal(one.body.language, 'go');
    assert.equal(one.body.tier, 1);
    const missing = await w.get('/v1/services/chekout-api');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'service_not_found');
    assert.match(missing.body.error.message, /Known services: checkout-api/);
  });

  it('starts with checkout-api and search-api degraded and every other service healthy all day', async () => {
    const w = world();
    const checkout = (await w.get('/v1/services/checkout-api/health')).body;
    assert.equal(checkout.status, 'degraded');
    assert.ok(checkout.metrics.error_rate > 0.02);
    assert.deepEqual(
      checkout.active_alerts.map((a: { name: string }) => a.name),
      ['CheckoutHighErrorRate', 'CheckoutErrorBudgetFastBurn'],
    );
    assert.equal(checkout.last_incident.status, 'investigating');
    const search = (await w.get('/v1/services/search-api/health')).body;
    assert.equal(search.status, 'degraded');
    assert.ok(search.metrics.latency_p99_ms > 400);
    const rps: number[] = [];
    for (let hour = 0; hour < 24; hour++) {
      for (const name of NAMES.filter((n) => n !== 'checkout-api' && n !== 'search-api')) {
        const health = (await w.get(`/v1/services/${name}/health`)).body;
        assert.equal(health.status, 'healthy', `${name} at ${health.observed_at}`);
        assert.deepEqual(health.active_alerts, []);
        if (name === 'web-frontend') rps.push(health.metrics.requests_per_second);
      }
      w.advance(60 * 60_000);
    }
    // Traffic follows the day: the evening peak is well above the early-morning trough.
    assert.ok((rps[19] ?? 0) > (rps[7] ?? 0) * 1.4, JSON.stringify(rps));
  });
});

describe('platform API: deploys', () => {
  it('pages the whole 30-day history newest first, with filters', async () => {
    const w = world();
    const all = await allDeploys(w);
    assert.ok(all.length > 100, `${all.length} deploys`);
    assert.equal(new Set(all.map((d) => d.id)).size, all.length, 'no duplicates across pages');
    const first = await w.get('/v1/deploys?limit=100');
    assert.deepEqual(all.slice(0, 100), first.body.data);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].started_at >= all[i].started_at);
    for (const d of all) {
      const started = Date.parse(d.started_at);
      assert.ok(started < NOW.getTime() && started > NOW.getTime() - 31 * 86_400_000, d.started_at);
      assert.ok(Date.parse(d.finished_at) >= started);
      assert.match(d.commit_sha, /^[0-9a-f]{40}$/);
      assert.match(d.version, /^\d+\.\d+\.\d+$/);
    }
    assert.deepEqual(new Set(all.map((d) => d.service)), new Set(NAMES));
    const latestCheckout = all.find((d) => d.service === 'checkout-api');
    assert.equal(latestCheckout.summary, 'Apply promotions through the new pricing engine');

    const search = await allDeploys(w, 'service=search-api');
    assert.deepEqual(
      search,
      all.filter((d) => d.service === 'search-api'),
    );
    const since = new Date(NOW.getTime() - 48 * 3_600_000).toISOString();
    const recent = await allDeploys(w, `since=${since}`);
    assert.deepEqual(
      recent,
      all.filter((d) => d.started_at >= since),
    );
    const failed = await allDeploys(w, 'status=failed');
    assert.deepEqual(
      failed,
      all.filter((d) => d.status === 'failed'),
    );

    const byId = await w.get(`/v1/deploys/${latestCheckout.id}`);
    assert.deepEqual(byId.body, latestCheckout);
  });

  it('explains bad parameters', async () => {
    const w = world();
    for (const [query, code] of [
      ['limit=0', 'invalid_parameter'],
      ['limit=101', 'invalid_parameter'],
      ['limit=ten', 'invalid_parameter'],
      ['since=yesterday', 'invalid_parameter'],
      ['status=exploded', 'invalid_parameter'],
      ['cursor=not-a-cursor', 'invalid_cursor'],
    ] as const) {
      const answer = await w.get(`/v1/deploys?${query}`);
      assert.equal(answer.status, 400, query);
      assert.equal(answer.body.error.code, code, query);
    }
    assert.equal((await w.get('/v1/deploys?service=nope')).status, 404);
    assert.equal((await w.get('/v1/deploys/dep_000000000000')).body.error.code, 'deploy_not_found');
  });
});

describe('platform API: runbooks', () => {
  it('ranks by keywords, filters by service and lists everything without a query', async () => {
    const w = world();
    const everything = await w.get('/v1/runbooks?limit=50');
    assert.ok(everything.body.total >= 28 && everything.body.total <= 32, String(everything.body.total));
    for (const r of everything.body.data) {
      assert.match(r.url, /^https:\/\/runbooks\.northwind\.internal\//);
      assert.ok(r.steps.length >= 2 && r.title && r.summary);
    }
    const hits = (await w.get('/v1/runbooks?q=checkout%20errors%20after%20a%20deploy')).body.data;
    assert.equal(hits[0].id, 'checkout-api-high-error-rate');
    assert.ok(hits.some((h: { id: string }) => h.id === 'rollback-deploy'));
    const kafka = (await w.get('/v1/runbooks?q=kafka&service=order-events&limit=3')).body;
    assert.equal(kafka.data.length, 3);
    for (const r of kafka.data) assert.ok(r.service === 'order-events' || r.service === null, r.id);
    const ids = kafka.data.map((r: { id: string }) => r.id);
    assert.ok(ids.includes('order-events-stuck-partition') && ids.includes('kafka-consumer-lag'), ids.join());
    const poison = (await w.get('/v1/runbooks?q=poison%20messages&service=order-events')).body.data;
    assert.equal(poison[0].id, 'order-events-stuck-partition');
    assert.equal((await w.get('/v1/runbooks?q=zebra%20unicorn')).body.total, 0);
    assert.equal((await w.get('/v1/runbooks?limit=0')).status, 400);
    assert.equal((await w.get('/v1/runbooks?service=nope')).status, 404);
  });
});

describe('platform API: actions', () => {
  const why = { reason: 'pods stuck after node drain', requested_by: 'ana' };

  it('refuses actions without an Idempotency-Key, with a bad body, on unknown or unrestartable services', async () => {
    const w = world();
    const missingKey = await w.post('/v1/services/search-api/restart', why);
    assert.equal(missingKey.status, 400);
    assert.equal(missingKey.body.error.code, 'missing_idempotency_key');
    const key = { 'idempotency-key': 'k-1' };
    for (const body of [
      undefined,
      [],
      { reason: 'x' },
      { requested_by: 'ana' },
      { reason: '', requested_by: 'ana' },
    ]) {
      const answer = await w.post('/v1/services/search-api/restart', body, key);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.error.code, 'invalid_body');
    }
    assert.equal((await w.post('/v1/services/nope/restart', why, key)).status, 404);
    const db = await w.post('/v1/services/ledger-db/restart', why, key);
    assert.equal(db.status, 409);
    assert.equal(db.body.error.code, 'not_restartable');
    assert.deepEqual((await w.get('/v1/events')).body.data, [], 'nothing was recorded');
    // The refused requests did not spend the key.
    assert.equal((await w.post('/v1/services/search-api/restart', why, key)).status, 202);
  });

  it('restarts once per key: recovering, then healthy, with the problem resolved', async () => {
    const w = world();
    const key = { 'idempotency-key': 'restart-search-1' };
    const first = await w.post('/v1/services/search-api/restart', why, key);
    assert.equal(first.status, 202);
    assert.equal(first.body.health_status, 'recovering');
    assert.equal(first.body.event.requested_by, 'ana');
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const again = await w.post('/v1/services/search-api/restart', why, key);
    assert.equal(again.status, 202);
    assert.deepEqual(again.body, first.body);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const reused = await w.post('/v1/services/search-api/restart', { ...why, reason: 'other' }, key);
    assert.equal(reused.status, 422);
    assert.equal(reused.body.error.code, 'idempotency_key_reused');
    const events = (await w.get('/v1/events?service=search-api')).body.data;
    assert.equal(events.length, 1);
    assert.deepEqual(events[0], first.body.event);
    assert.deepEqual((await w.get('/v1/events?service=checkout-api')).body.data, []);

    const during = (await w.get('/v1/services/search-api/health')).body;
    assert.equal(during.status, 'recovering');
    assert.equal(during.recovering_until, first.body.recovering_until);
    w.advance(91_000);
    const after = (await w.get('/v1/services/search-api/health')).body;
    assert.equal(after.status, 'healthy');
    assert.deepEqual(after.active_alerts, []);
    assert.equal(after.last_incident.status, 'resolved');
    assert.equal(after.last_incident.id, 'INC-2290');
  });

  it('rolls back only the latest live deploy, once per key, to the previous version', async () => {
    const w = world();
    const history = await allDeploys(w, 'service=checkout-api');
    const [latest, older] = history;
    const previousLive = history
      .slice(1)
      .find((d) => d.status === 'succeeded' && d.version !== latest.version);
    const key = { 'idempotency-key': 'rb-1' };
    const notLatest = await w.post(`/v1/deploys/${older.id}/rollback`, why, { 'idempotency-key': 'rb-0' });
    assert.equal(notLatest.status, 409);
    assert.equal(notLatest.body.error.code, 'not_latest_deploy');
    assert.match(notLatest.body.error.message, new RegExp(latest.id));
    assert.equal((await w.post(`/v1/deploys/${latest.id}/rollback`, why)).status, 400);
    assert.equal((await w.post('/v1/deploys/dep_nope/rollback', why, key)).status, 404);

    const done = await w.post(`/v1/deploys/${latest.id}/rollback`, why, key);
    assert.equal(done.status, 201);
    assert.equal(done.body.deploy.version, previousLive.version);
    assert.equal(done.body.deploy.commit_sha, previousLive.commit_sha);
    assert.equal(done.body.deploy.rollback_of, latest.id);
    assert.equal(done.body.deploy.author, 'ana');
    assert.deepEqual(done.body.rolled_back, {
      id: latest.id,
      version: latest.version,
      status: 'rolled_back',
    });
    const replay = await w.post(`/v1/deploys/${latest.id}/rollback`, why, key);
    assert.deepEqual(replay.body, done.body);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');

    const now = await allDeploys(w, 'service=checkout-api');
    assert.equal(now.length, history.length + 1, 'exactly one new deploy');
    assert.deepEqual(now[0], done.body.deploy);
    assert.equal(now[1].status, 'rolled_back');
    const twice = await w.post(`/v1/deploys/${latest.id}/rollback`, why, { 'idempotency-key': 'rb-2' });
    assert.equal(twice.status, 409, 'the rolled-back deploy is no longer the latest');
    const events = (await w.get('/v1/events')).body.data;
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'rollback');
    assert.equal(events[0].rolled_back_deploy_id, latest.id);
    assert.equal((await w.get('/v1/services/checkout-api/health')).body.status, 'recovering');
    w.advance(120_000);
    assert.equal((await w.get('/v1/services/checkout-api/health')).body.status, 'healthy');
  });
});

describe('platform API: auth and fault knobs', () => {
  it('needs the bearer token', async () => {
    const w = world();
    for (const authorization of [undefined, 'Bearer wrong', 'sandbox-token']) {
      const response = await w.app.request('/platform/v1/services', {
        headers: authorization === undefined ? {} : { authorization },
      });
      assert.equal(response.status, 401, String(authorization));
    }
  });

  it('answers 503 in an outage and 5xx under injected errors, over a real port', async () => {
    const sandbox = await startSandbox({ port: 0, now: NOW, only: ['platform'] });
    const base = sandbox.baseUrls.platform;
    try {
      const get = () => fetch(`${base}/v1/services/checkout-api/health`, { headers: AUTH });
      assert.equal((await get()).status, 200);
      const put = await fetch(`${sandbox.url}/_sandbox/faults/platform`, {
        method: 'PUT',
        body: JSON.stringify({ outage: true }),
      });
      assert.equal(put.status, 200);
      const down = await get();
      assert.equal(down.status, 503);
      assert.match(((await down.json()) as { message: string }).message, /platform is down/);
      sandbox.faults.set('platform', { outage: false, errorRate: 1 });
      for (let i = 0; i < 5; i++) assert.ok((await get()).status >= 500);
      await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
      assert.equal((await get()).status, 200);
    } finally {
      await sandbox.close();
    }
  });
});
