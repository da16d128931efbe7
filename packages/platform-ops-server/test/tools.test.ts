/**
 * The read-only platform-ops tools against the sandbox platform API, through the kit's test
 * client: shaped health with SLO breaches and the latest deploy, runbook search, the deploy log
 * with filters and cursors, unknown services answered with suggestions, bad input, and what a
 * broken or misconfigured platform API looks like to a model.
 */
import assert from 'node:assert/strict';
import { type AddressInfo, createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@gatehouse/kit';
import { testClient } from '@gatehouse/kit/testing';
import { createPlatformOpsServer } from '../src/server.ts';
import { type Loose, NOW, startWorld, TOKEN, type World } from './helpers.ts';

describe('platform-ops read tools', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(async () => world?.close());

  it('lists its tools with annotations that tell reads from actions', async () => {
    const { tools } = await world.client.client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    assert.deepEqual([...byName.keys()].sort(), [
      'get_service_health',
      'health',
      'list_recent_deploys',
      'restart_service',
      'rollback_deploy',
      'search_runbooks',
    ]);
    for (const name of ['get_service_health', 'search_runbooks', 'list_recent_deploys']) {
      assert.equal(byName.get(name)?.annotations?.readOnlyHint, true, name);
    }
    for (const name of ['restart_service', 'rollback_deploy']) {
      const annotations = byName.get(name)?.annotations;
      assert.equal(annotations?.destructiveHint, true, name);
      assert.equal(annotations?.idempotentHint, false, name);
      assert.equal(annotations?.readOnlyHint, false, name);
    }
  });

  it('shapes the health of a degraded service: breaches, alerts and the deploy before it', async () => {
    const out = await world.client.call('get_service_health', { service: 'checkout-api' });
    assert.equal(out.isError, false, out.text);
    const health = out.structured as Record<string, Loose>;
    assert.equal(health.status, 'degraded');
    assert.equal(health.team, 'storefront');
    assert.ok(health.metrics.errorRatePct > 2, JSON.stringify(health.metrics));
    assert.ok(health.metrics.errorBudgetBurnRate > 14.4);
    assert.match(
      health.sloBreaches.join(' '),
      /error budget burning \d+(\.\d)?x \(availability target 99\.95%/,
    );
    assert.deepEqual(
      health.activeAlerts.map((a: { name: string }) => a.name),
      ['CheckoutHighErrorRate', 'CheckoutErrorBudgetFastBurn'],
    );
    assert.equal(health.lastIncident.status, 'investigating');
    assert.equal(health.recentDeploy.summary, 'Apply promotions through the new pricing engine');
    assert.equal(health.recentDeploy.minutesAgo, 42);
    assert.match(health.recentDeploy.commit, /^[0-9a-f]{12}$/);
    assert.deepEqual(JSON.parse(out.text), out.structured);

    const calm = (await world.client.call('get_service_health', { service: 'auth-service' })).structured;
    assert.equal(calm?.status, 'healthy');
    assert.deepEqual(calm?.sloBreaches, []);
    assert.deepEqual(calm?.activeAlerts, []);
  });

  it('answers an unknown service with suggestions, without calling the API for impossible names', async () => {
    const typo = await world.client.call('get_service_health', { service: 'chekout-api' });
    assert.equal(typo.isError, true);
    assert.equal(typo.errorCode, 'unknown_service');
    assert.match(typo.text, /no service named "chekout-api".*Did you mean "checkout-api"/);
    const spaced = await world.client.call('get_service_health', { service: 'Checkout API/../../v1' });
    assert.equal(spaced.errorCode, 'unknown_service');
    const nothing = await world.client.call('get_service_health', { service: 'zzzz' });
    assert.match(nothing.text, /Known services: checkout-api, payments-gateway/);
    for (const [tool, args] of [
      ['search_runbooks', { query: 'restart', service: 'nope-service' }],
      ['list_recent_deploys', { service: 'nope-service' }],
    ] as const) {
      const out = await world.client.call(tool, args);
      assert.equal(out.errorCode, 'unknown_service', tool);
    }
  });

  it('searches runbooks, optionally within one service', async () => {
    const out = await world.client.call('search_runbooks', {
      query: 'checkout errors after deploy',
      limit: 3,
    });
    assert.equal(out.isError, false, out.text);
    const { results, totalMatches } = out.structured as { results: Loose[]; totalMatches: number };
    assert.equal(results.length, 3);
    assert.ok(totalMatches >= 3);
    assert.equal(results[0].id, 'checkout-api-high-error-rate');
    assert.ok(results[0].steps.length > 0);
    assert.match(results[0].url, /^https:\/\//);
    const scoped = await world.client.call('search_runbooks', {
      query: 'slow opensearch',
      service: 'search-api',
    });
    const scopedResults = (scoped.structured as { results: Loose[] }).results;
    assert.equal(scopedResults[0].id, 'search-api-degraded-results');
    for (const r of scopedResults) assert.ok(r.service === 'search-api' || r.service === null, r.id);
    const none = await world.client.call('search_runbooks', { query: 'zebra unicorn' });
    assert.deepEqual(none.structured, { results: [], totalMatches: 0 });
  });

  it('lists recent deploys newest first, filtered, and pages with the cursor', async () => {
    const first = await world.client.call('list_recent_deploys', { sinceHours: 168, limit: 4 });
    assert.equal(first.isError, false, first.text);
    const page1 = first.structured as { deploys: Loose[]; nextCursor: string | null };
    assert.equal(page1.deploys.length, 4);
    assert.ok(page1.nextCursor);
    const second = await world.client.call('list_recent_deploys', {
      sinceHours: 168,
      limit: 4,
      cursor: page1.nextCursor,
    });
    const page2 = second.structured as { deploys: Loose[] };
    const all = [...page1.deploys, ...page2.deploys];
    assert.equal(new Set(all.map((d) => d.id)).size, 8);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].startedAt >= all[i].startedAt);
    for (const d of all) assert.ok(Date.parse(d.startedAt) >= NOW.getTime() - 168 * 3_600_000);

    const checkout = await world.client.call('list_recent_deploys', {
      service: 'checkout-api',
      sinceHours: 720,
    });
    const deploys = (checkout.structured as { deploys: Loose[] }).deploys;
    assert.ok(deploys.length > 5);
    assert.ok(deploys.every((d) => d.service === 'checkout-api'));
    const failed = await world.client.call('list_recent_deploys', {
      status: 'failed',
      sinceHours: 720,
      limit: 50,
    });
    assert.ok((failed.structured as { deploys: Loose[] }).deploys.every((d) => d.status === 'failed'));

    const bad = await world.client.call('list_recent_deploys', { cursor: 'garbage' });
    assert.equal(bad.errorCode, 'invalid_cursor');
  });

  it('rejects out-of-range input with a clear error and keeps serving', async () => {
    const out = await world.client.call('list_recent_deploys', { limit: 500 });
    assert.equal(out.isError, true);
    assert.match(out.text, /limit/);
    const short = await world.client.call('search_runbooks', { query: 'x' });
    assert.equal(short.isError, true);
    assert.equal((await world.client.call('get_service_health', { service: 'ledger-db' })).isError, false);
  });

  it('reports the platform API in its health check', async () => {
    const out = await world.client.call('health');
    assert.equal(out.structured?.status, 'ok');
    assert.match(JSON.stringify(out.structured), /12 services in the catalog/);
  });
});

describe('platform-ops when the platform API fails', () => {
  it('turns an outage into a clear isError, then recovers when the API is back', async () => {
    const world = await startWorld({ maxAttempts: 2, breakerFailures: 1_000 });
    try {
      world.sandbox.faults.set('platform', { outage: true });
      const out = await world.client.call('get_service_health', { service: 'checkout-api' });
      assert.equal(out.isError, true);
      assert.equal(out.errorCode, 'platform_unavailable');
      assert.match(out.text, /platform API is failing \(HTTP 503/);
      const health = await world.client.call('health');
      assert.equal(health.structured?.status, 'down');
      world.sandbox.faults.reset();
      const back = await world.client.call('get_service_health', { service: 'checkout-api' });
      assert.equal(back.isError, false, back.text);
    } finally {
      await world.close();
    }
  });

  it('stops calling a failing API for a while (circuit breaker) and says so', async () => {
    const world = await startWorld({ maxAttempts: 1, breakerFailures: 2 });
    try {
      world.sandbox.faults.set('platform', { outage: true });
      for (let i = 0; i < 2; i++) {
        const out = await world.client.call('search_runbooks', { query: 'restart' });
        assert.match(out.text, /HTTP 503/);
      }
      world.sandbox.faults.reset();
      const fast = await world.client.call('search_runbooks', { query: 'restart' });
      assert.equal(fast.errorCode, 'platform_unavailable');
      assert.match(fast.text, /too many recent failures/);
    } finally {
      await world.close();
    }
  });

  it('says the credentials are wrong when the API answers 401', async () => {
    const world = await startWorld();
    const server = createPlatformOpsServer(
      {
        baseUrl: world.sandbox.baseUrls.platform ?? '',
        token: `${TOKEN}-wrong`,
        timeoutMs: 5_000,
        now: () => NOW.getTime(),
      },
      createLogger('platform-ops-test', 'silent'),
    );
    const client = await testClient(server);
    try {
      const out = await client.call('search_runbooks', { query: 'restart' });
      assert.equal(out.errorCode, 'platform_auth');
      assert.match(out.text, /PLATFORM_TOKEN/);
    } finally {
      await client.close();
      await world.close();
    }
  });

  it('says the API is unreachable when nothing listens', async () => {
    // A port that was just free: bind it, note it, close it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const server = createPlatformOpsServer(
      {
        baseUrl: `http://127.0.0.1:${port}/platform`,
        token: TOKEN,
        timeoutMs: 2_000,
        maxAttempts: 1,
        now: Date.now,
      },
      createLogger('platform-ops-test', 'silent'),
    );
    const client = await testClient(server);
    try {
      const out = await client.call('list_recent_deploys', {});
      assert.equal(out.errorCode, 'platform_unavailable');
      assert.match(out.text, /unavailable: connection failed/);
    } finally {
      await client.close();
    }
  });
});
