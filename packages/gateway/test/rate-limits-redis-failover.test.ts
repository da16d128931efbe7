/**
 * Rate limits in Redis when Redis fails, through the front door: gateways over HTTP counting in a
 * Redis of the test's own (helpers/redis-server.ts), which the test kills (SIGKILL) or hangs
 * (SIGSTOP, then SIGCONT) by its pid. The documented bound holds — each replica within the
 * limit, counting from what it used before the failover, so the fleet within replicas × limit —
 * a hung Redis costs the one call that finds out, not every call, and /metrics shows the
 * failover and the way back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { RateLimitRuleModel } from '../src/config/model-limits.ts';
import { bucketsFor } from '../src/limits/buckets.ts';
import { RateLimits } from '../src/limits/rate-limits.ts';
import {
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  toolFailure,
  waitFor,
} from './helpers/harness.ts';
import { type OwnRedis, startOwnRedis } from './helpers/redis-server.ts';

const RATE_LIMITED = -32057;

/** Calls alpha_pid: "ok", or the code it was refused with. */
async function attempt(client: Client, name: string): Promise<'ok' | number> {
  const call = client.callTool({ name, arguments: {} });
  const ok = await call.then(
    (r) => !r.isError,
    () => false,
  );
  return ok ? 'ok' : ((await toolFailure(call)).code ?? -1);
}

async function attempts(client: Client, name: string, count: number): Promise<('ok' | number)[]> {
  const out: ('ok' | number)[] = [];
  for (let i = 0; i < count; i++) out.push(await attempt(client, name));
  return out;
}

/** One gauge or counter value from a gateway's /metrics, or undefined when it is not reported. */
async function metric(gw: TestGateway, name: string): Promise<number | undefined> {
  const text = await (await fetch(new URL('/metrics', gw.url))).text();
  const found = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return found?.[1] === undefined ? undefined : Number(found[1]);
}

describe('rate limits when their own Redis dies or hangs', () => {
  const prefix = `gatehouse-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  let redis: OwnRedis | undefined;
  let gateways: TestGateway[] = [];
  let clients: Client[] = [];

  // Each test has a Redis of its own, which it may kill or stop.
  beforeEach(async () => {
    redis = await startOwnRedis();
  });

  afterEach(async () => {
    for (const client of clients) await client.close().catch(() => {});
    for (const gateway of gateways) await gateway.close();
    gateways = [];
    clients = [];
    await redis?.stop();
  });

  async function replica(limit: number, timeoutMs: number): Promise<{ gw: TestGateway; client: Client }> {
    const gw = await startGateway(`upstreams:\n${fixtureUpstreamYaml('alpha')}
rateLimits:
  redis: { url: ${JSON.stringify(redis?.url)}, prefix: ${prefix}, timeoutMs: ${timeoutMs} }
  rules:
    - { name: calls-${limit}, per: [principal], limit: ${limit}, windowSec: 3600 }
`);
    gateways.push(gw);
    const client = await connectClient(gw.url, 'legacy');
    clients.push(client);
    return { gw, client };
  }

  /** What Redis has counted for the anonymous caller under a rule of this limit. */
  async function counted(limit: number): Promise<number> {
    const probe = new Redis(redis?.url ?? '', { lazyConnect: true });
    await probe.connect();
    try {
      return Number(await probe.get(`${prefix}:ratelimit:calls-${limit}:principal=anonymous`));
    } finally {
      probe.disconnect();
    }
  }

  it('keeps two replicas within replicas × limit when Redis is killed mid-window', async () => {
    const a = await replica(6, 300);
    const b = await replica(6, 300);
    assert.deepEqual(await attempts(a.client, 'alpha_pid', 2), ['ok', 'ok']);
    assert.deepEqual(await attempts(b.client, 'alpha_pid', 2), ['ok', 'ok']);
    redis?.signal('SIGKILL');
    const afterA = await attempts(a.client, 'alpha_pid', 8);
    const afterB = await attempts(b.client, 'alpha_pid', 8);
    for (const outcome of [...afterA, ...afterB]) assert.ok(outcome === 'ok' || outcome === RATE_LIMITED);
    const allowed = 4 + [...afterA, ...afterB].filter((o) => o === 'ok').length;
    assert.ok(allowed <= 2 * 6, `the two replicas allowed ${allowed} calls in the window (at most 12)`);
    // Each replica goes on from what it used before the failover: 2 of 6.
    assert.deepEqual(afterA.slice(0, 5), ['ok', 'ok', 'ok', 'ok', RATE_LIMITED]);
    assert.deepEqual(afterB.slice(0, 5), ['ok', 'ok', 'ok', 'ok', RATE_LIMITED]);
    assert.equal(await metric(a.gw, 'gatehouse_rate_limit_redis_up'), 0);
    assert.equal(await metric(a.gw, 'gatehouse_rate_limit_failovers_total'), 1);
  });

  it('fails over once when Redis hangs (SIGSTOP), not on every call, and comes back after SIGCONT', async () => {
    const timeoutMs = 1000;
    const { gw, client } = await replica(1000, timeoutMs);
    assert.deepEqual(await attempts(client, 'alpha_pid', 2), ['ok', 'ok']);
    assert.equal(await counted(1000), 2, 'counted in Redis');
    assert.equal(await metric(gw, 'gatehouse_rate_limit_redis_up'), 1);

    redis?.signal('SIGSTOP');
    assert.equal(await attempt(client, 'alpha_pid'), 'ok', 'the call that finds Redis hung still passes');
    const started = performance.now();
    assert.deepEqual(await attempts(client, 'alpha_pid', 10), Array(10).fill('ok'));
    const elapsed = performance.now() - started;
    assert.ok(
      elapsed < 5 * timeoutMs,
      `10 calls after the failover took ${Math.round(elapsed)} ms; waiting for Redis each time would take over ${10 * timeoutMs} ms`,
    );
    assert.equal(await metric(gw, 'gatehouse_rate_limit_redis_up'), 0);
    assert.equal(await metric(gw, 'gatehouse_rate_limit_failovers_total'), 1);

    redis?.signal('SIGCONT');
    await waitFor(
      async () => (await metric(gw, 'gatehouse_rate_limit_redis_up')) === 1,
      15_000,
      'back on Redis',
    );
    // The 11 calls counted in this replica during the hang were added to Redis (and the one
    // whose command timed out was counted by Redis too once it resumed).
    await waitFor(async () => (await counted(1000)) >= 13, 5_000, 'outage calls added to Redis');
    const before = await counted(1000);
    assert.equal(await attempt(client, 'alpha_pid'), 'ok');
    assert.equal(await counted(1000), before + 1, 'counted in Redis again');
    assert.equal(await metric(gw, 'gatehouse_rate_limit_failovers_total'), 1);
  });

  it('stops a gateway promptly while Redis is hung', async () => {
    const timeoutMs = 1000;
    const { gw, client } = await replica(50, timeoutMs);
    assert.equal(await attempt(client, 'alpha_pid'), 'ok');
    redis?.signal('SIGSTOP');
    await client.close();
    clients = [];
    const started = performance.now();
    await gw.close();
    gateways = [];
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 5 * timeoutMs, `the gateway took ${Math.round(elapsed)} ms to stop`);
  });

  it('logs the failover once, however many calls find Redis hung, and the way back once', async () => {
    const lines: { level: number; msg: string; reason?: string }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const rule: RateLimitRuleModel = {
      name: 'logged',
      per: ['principal'],
      methods: ['tools/call'],
      roles: null,
      tools: null,
      upstreams: null,
      limit: 100,
      windowSec: 3600,
    };
    const limits = new RateLimits(
      { redis: { url: redis?.url ?? '', prefix, timeoutMs: 300 }, rules: [rule] },
      log,
    );
    try {
      const buckets = bucketsFor(limits.rules, {
        method: 'tools/call',
        principal: { id: 'logger-test', roles: [] },
        target: 'alpha_pid',
        upstream: 'alpha',
      });
      await waitFor(
        async () => (await limits.consume(buckets)) === null && limits.sharedState === 'redis',
        10_000,
      );
      const mark = lines.length;
      redis?.signal('SIGSTOP');
      for (let i = 0; i < 5; i++) assert.equal(await limits.consume(buckets), null);
      const failedOver = lines.slice(mark);
      assert.equal(failedOver.length, 1, JSON.stringify(failedOver));
      assert.equal(failedOver[0]?.level, 40, 'a warning');
      assert.match(
        failedOver[0]?.msg ?? '',
        /^rate limits: Redis unavailable; failing over to counting in this replica/,
      );
      assert.match(failedOver[0]?.reason ?? '', /timed out/i);
      redis?.signal('SIGCONT');
      await waitFor(() => limits.sharedState === 'redis', 15_000, 'back on Redis');
      const back = lines.slice(mark + 1);
      assert.equal(back.length, 1, JSON.stringify(back));
      assert.equal(back[0]?.level, 30);
      assert.equal(
        back[0]?.msg,
        'rate limits: Redis answers again; limits are shared between replicas again',
      );
    } finally {
      await limits.close();
    }
  });
});
