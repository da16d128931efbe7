/**
 * Rate limits and quotas through the front door: real gateways over HTTP with two real stdio
 * upstreams (alpha, beta). Per principal, per tool, per role, a 1-second window that opens
 * again, the refusal in the audit log; then Redis — two gateways sharing one quota, and a Redis
 * that is not there or goes away mid-run degrading to per-replica limits without failing calls.
 * The Redis part needs GATEHOUSE_TEST_REDIS_URL (scripts/services.sh starts a throwaway server
 * and sets it); without it the test fails rather than skips.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { Redis } from 'ioredis';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { openCommittedAudit } from './helpers/audit-reader.ts';
import {
  type ClientEra,
  connectClient,
  type ErrorShape,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  tempStorage,
  textOf,
  toolFailure,
} from './helpers/harness.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL;
const RATE_LIMITED = -32057;

/**
 * Calls a tool; answers "ok" or the code it was refused with (a JSON-RPC error, or the code in
 * an isError result's explanation — how a rate limit reaches a model).
 */
async function attempt(client: Client, name: string): Promise<'ok' | number> {
  const args = name.endsWith('echo') ? { message: 'hi' } : name.endsWith('progress') ? { stepMs: 0 } : {};
  const call = client.callTool({ name, arguments: args });
  const settled = await call.then(
    (r) => (r.isError ? undefined : 'ok'),
    () => undefined,
  );
  if (settled === 'ok') return 'ok';
  return (await toolFailure(call)).code ?? -1;
}

async function attempts(client: Client, name: string, count: number): Promise<('ok' | number)[]> {
  const out: ('ok' | number)[] = [];
  for (let i = 0; i < count; i++) out.push(await attempt(client, name));
  return out;
}

const UPSTREAMS = `upstreams:\n${fixtureUpstreamYaml('alpha')}\n${fixtureUpstreamYaml('beta')}\n`;

describe('rate limits (in memory)', () => {
  let gw: TestGateway;
  let storage: string;
  const keys: Record<string, string> = {};
  const clients: Client[] = [];

  before(async () => {
    storage = tempStorage();
    const store = new SqliteApiKeys(storage);
    for (const [user, roles] of Object.entries({
      alice: ['sales'],
      bob: ['sales'],
      sam: ['support'],
      mia: ['support', 'sales'],
      tina: ['tester'],
    })) {
      keys[user] = store.create({ user, org: 'acme', roles }).key;
    }
    store.close();
    gw = await startGateway(`${UPSTREAMS}auth:
  apiKeys: true
policy:
  groups:
    alpha-work: { allow: [{ tools: ["alpha_*"] }] }
    beta-work: { allow: [{ tools: ["beta_*"] }] }
  roles:
    sales: { groups: [alpha-work, beta-work] }
    support: { groups: [beta-work] }
    tester: { groups: [alpha-work] }
rateLimits:
  rules:
    - { name: echo-per-user, per: [principal], tools: [alpha_echo], limit: 3, windowSec: 3600 }
    - { name: pid-per-tool, per: [tool], tools: ["*_pid"], limit: 2, windowSec: 3600 }
    - { name: support-team, per: [role], roles: [support], limit: 4, windowSec: 3600 }
    - { name: testers-per-second, per: [principal], roles: [tester], limit: 2, windowSec: 1 }
storage: { path: ${JSON.stringify(storage)} }
`);
  });

  after(async () => {
    for (const client of clients) await client.close();
    await gw?.close();
  });

  async function as(user: string, era: ClientEra = 'legacy'): Promise<Client> {
    const client = await connectClient(gw.url, era, undefined, {}, { authorization: `Bearer ${keys[user]}` });
    clients.push(client);
    return client;
  }

  it('refuses the call after a principal’s limit with -32057 and a retry-after; others still pass', async () => {
    const alice = await as('alice');
    const bob = await as('bob', 'modern');
    assert.deepEqual(await attempts(alice, 'alpha_echo', 3), ['ok', 'ok', 'ok']);
    const refused = await toolFailure(alice.callTool({ name: 'alpha_echo', arguments: { message: 'hi' } }));
    assert.equal(refused.code, RATE_LIMITED);
    assert.equal(refused.isError, true, 'a tool call is refused with an isError result the model can read');
    assert.match(
      refused.message ?? '',
      /Rate limit "echo-per-user" exceeded \(3 per 3600 s\); retry after \d+ s/,
    );
    const { code: _, ...data } = refused.data as {
      code: number;
      rule: string;
      limit: number;
      windowSec: number;
      retryAfterSeconds: number;
    };
    assert.deepEqual(
      { ...data, retryAfterSeconds: 0 },
      {
        rule: 'echo-per-user',
        limit: 3,
        windowSec: 3600,
        retryAfterSeconds: 0,
      },
    );
    assert.ok(
      data.retryAfterSeconds > 3500 && data.retryAfterSeconds <= 3600,
      String(data.retryAfterSeconds),
    );
    assert.equal(
      textOf(await bob.callTool({ name: 'alpha_echo', arguments: { message: 'hi' } })),
      'alpha: hi',
    );
    const modern = await toolFailure(
      (await as('alice', 'modern')).callTool({ name: 'alpha_echo', arguments: { message: 'hi' } }),
    );
    assert.equal(modern.code, RATE_LIMITED, 'the same principal in the other era is limited too');
    assert.deepEqual((modern.data as { rule: string }).rule, 'echo-per-user');
    assert.equal(await attempt(alice, 'beta_echo'), 'ok', 'tools the rule does not name are unaffected');
  });

  it('keeps one bucket per tool that matches a rule, shared by every caller; other tools unaffected', async () => {
    const alice = await as('alice');
    const bob = await as('bob');
    assert.deepEqual(await attempts(alice, 'alpha_pid', 1), ['ok']);
    assert.deepEqual(await attempts(bob, 'alpha_pid', 2), ['ok', RATE_LIMITED]);
    assert.equal(await attempt(alice, 'alpha_pid'), RATE_LIMITED);
    assert.deepEqual(await attempts(bob, 'beta_pid', 3), ['ok', 'ok', RATE_LIMITED], 'beta_pid has its own');
    assert.deepEqual(await attempts(bob, 'alpha_echo', 3), ['ok', 'ok', RATE_LIMITED], 'bob had used 1 of 3');
  });

  it('shares a per-role budget between everyone holding the role; hidden calls cost nothing', async () => {
    const sam = await as('sam');
    const mia = await as('mia');
    // alpha_echo is hidden from support: refused before the limits, so it uses up nothing.
    assert.deepEqual(await attempts(sam, 'alpha_echo', 3), [-32602, -32602, -32602]);
    assert.deepEqual(await attempts(sam, 'beta_echo', 2), ['ok', 'ok']);
    assert.deepEqual(await attempts(mia, 'beta_echo', 3), ['ok', 'ok', RATE_LIMITED]);
    assert.equal(await attempt(sam, 'beta_echo'), RATE_LIMITED);
    // mia's calls count against the support bucket whatever the tool; bob (sales only) is not in it.
    assert.equal(await attempt(mia, 'alpha_slow_progress'), RATE_LIMITED);
    assert.equal(await attempt(await as('bob'), 'beta_echo'), 'ok');
  });

  it('lets calls through again once the window has passed', async () => {
    const tina = await as('tina');
    // Call until refused: the window is 1 s, so no assertion depends on how fast calls are.
    let refused: ErrorShape | undefined;
    for (let i = 0; i < 20 && refused === undefined; i++) {
      const call = tina.callTool({ name: 'alpha_slow_progress', arguments: { stepMs: 0 } });
      if ((await call).isError) refused = await toolFailure(call);
    }
    assert.equal(refused?.code, RATE_LIMITED);
    const data = refused?.data as { rule: string; retryAfterSeconds: number };
    assert.deepEqual(data, {
      code: RATE_LIMITED,
      rule: 'testers-per-second',
      limit: 2,
      windowSec: 1,
      retryAfterSeconds: 1,
    });
    await new Promise((r) => setTimeout(r, data.retryAfterSeconds * 1000 + 100));
    assert.equal(await attempt(tina, 'alpha_slow_progress'), 'ok', 'a new window has started');
  });

  it('audits a refused call as an error with the RateLimited code', async () => {
    const store = await openCommittedAudit(storage);
    try {
      const errors = await store.query({ principal: 'alice', status: 'error', method: 'tools/call' });
      const refused = errors.find((r) => r.target === 'alpha_echo');
      assert.ok(refused, 'the refused call is in the audit log');
      assert.equal(refused.errorCode, RATE_LIMITED);
      assert.equal(refused.decision, 'allow');
      assert.match(refused.errorMessage ?? '', /echo-per-user/);
    } finally {
      await store.close();
    }
  });
});

it('has a Redis server to test against (GATEHOUSE_TEST_REDIS_URL)', () => {
  assert.ok(REDIS_URL, 'GATEHOUSE_TEST_REDIS_URL is not set: run `source scripts/services.sh` first');
});

/** A TCP proxy in front of Redis that the test can pull the plug on. */
async function startProxy(target: URL): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('rate limits in Redis', () => {
  const prefix = `gatehouse-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const gateways: TestGateway[] = [];
  const clients: Client[] = [];
  let redis: Redis;

  before(() => {
    assert.ok(REDIS_URL, 'GATEHOUSE_TEST_REDIS_URL is not set: run `source scripts/services.sh` first');
    redis = new Redis(REDIS_URL);
  });

  after(async () => {
    for (const client of clients) await client.close();
    for (const gateway of gateways) await gateway.close();
    if (redis !== undefined) {
      const stale = await redis.keys(`${prefix}*`);
      if (stale.length > 0) await redis.del(...stale);
      await redis.quit();
    }
  });

  /** A gateway (anonymous callers may use everything) counting in the Redis at `url`. */
  async function gateway(url: string, keyPrefix: string): Promise<Client> {
    const gw = await startGateway(`upstreams:\n${fixtureUpstreamYaml('alpha')}
rateLimits:
  redis: { url: ${JSON.stringify(url)}, prefix: ${keyPrefix}, timeoutMs: 300 }
  rules:
    - { name: calls, per: [principal], limit: 3, windowSec: 3600 }
`);
    gateways.push(gw);
    const client = await connectClient(gw.url, 'legacy');
    clients.push(client);
    return client;
  }

  it('shares one quota between two gateways on the same Redis', async () => {
    const a = await gateway(REDIS_URL ?? '', `${prefix}-shared`);
    const b = await gateway(REDIS_URL ?? '', `${prefix}-shared`);
    assert.deepEqual(await attempts(a, 'alpha_pid', 2), ['ok', 'ok']);
    assert.deepEqual(await attempts(b, 'alpha_pid', 2), ['ok', RATE_LIMITED]);
    assert.equal(await attempt(a, 'alpha_pid'), RATE_LIMITED);
    assert.equal(await redis.get(`${prefix}-shared:ratelimit:calls:principal=anonymous`), '5');
  });

  it('falls back to in-memory limits when Redis is not there, without failing calls', async () => {
    const client = await gateway(`redis://127.0.0.1:${await closedPort()}`, `${prefix}-absent`);
    assert.deepEqual(await attempts(client, 'alpha_pid', 4), ['ok', 'ok', 'ok', RATE_LIMITED]);
  });

  it('falls back to in-memory limits when Redis goes away mid-run, without failing calls', async () => {
    const proxy = await startProxy(new URL(REDIS_URL ?? ''));
    const client = await gateway(proxy.url, `${prefix}-lost`);
    assert.deepEqual(await attempts(client, 'alpha_pid', 2), ['ok', 'ok']);
    assert.equal(
      await redis.get(`${prefix}-lost:ratelimit:calls:principal=anonymous`),
      '2',
      'counted in Redis',
    );
    await proxy.close();
    // This replica now counts on its own, from what it already used in the window (2 of 3): the
    // limit still holds, nothing fails.
    assert.deepEqual(await attempts(client, 'alpha_pid', 4), [
      'ok',
      RATE_LIMITED,
      RATE_LIMITED,
      RATE_LIMITED,
    ]);
  });
});
