/**
 * The sandbox's own machinery, independent of any one service: token auth like the real
 * services, the control API for fault knobs (validated), faults scoped to one service, the
 * `--fault` flag, and the seeded PRNG's determinism.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import {
  derive,
  parseFaultFlag,
  type RunningSandbox,
  type ServiceFactory,
  startSandbox,
} from '../src/index.ts';

const echo =
  (name: string): ServiceFactory =>
  ({ seed }) => ({
    name,
    title: `${name} test service`,
    realBaseUrl: `https://${name}.example`,
    auth: 'Bearer token',
    requiresAuth: name !== 'open',
    app: new Hono().get('/v1/ping', (c) => c.json({ service: name, seed })),
  });

describe('sandbox', () => {
  let sandbox: RunningSandbox;
  const auth = { authorization: 'Bearer sandbox-token' };

  before(async () => {
    sandbox = await startSandbox({
      port: 0,
      seed: 7,
      factories: [echo('alpha'), echo('beta'), echo('open')],
    });
  });
  after(() => sandbox.close());

  it('lists its services with their base URLs', async () => {
    const info = (await (await fetch(`${sandbox.url}/_sandbox`)).json()) as {
      seed: number;
      services: { name: string }[];
    };
    assert.equal(info.seed, 7);
    assert.deepEqual(
      info.services.map((s) => s.name),
      ['alpha', 'beta', 'open'],
    );
    assert.equal(sandbox.baseUrls.alpha, `${sandbox.url}/alpha`);
  });

  it('answers its printed base URL with the same listing', async () => {
    const response = await fetch(`${sandbox.url}/`);
    assert.equal(response.status, 200);
    const info = (await response.json()) as { services: { name: string; path: string }[] };
    assert.deepEqual(
      info.services.map((s) => s.path),
      ['/alpha', '/beta', '/open'],
    );
  });

  it('requires a token like the real services (bearer or ChargeOver-style basic), except open ones', async () => {
    assert.equal((await fetch(`${sandbox.baseUrls.alpha}/v1/ping`)).status, 401);
    assert.equal(
      (await fetch(`${sandbox.baseUrls.alpha}/v1/ping`, { headers: { authorization: 'Bearer nope' } }))
        .status,
      401,
    );
    assert.equal((await fetch(`${sandbox.baseUrls.alpha}/v1/ping`, { headers: auth })).status, 200);
    const basic = `Basic ${Buffer.from('public:sandbox-token').toString('base64')}`;
    assert.equal(
      (await fetch(`${sandbox.baseUrls.alpha}/v1/ping`, { headers: { authorization: basic } })).status,
      200,
    );
    assert.equal((await fetch(`${sandbox.baseUrls.open}/v1/ping`)).status, 200);
  });

  it('breaks one service at a time through the control API; the others keep answering', async () => {
    const put = (name: string, body: unknown) =>
      fetch(`${sandbox.url}/_sandbox/faults/${name}`, { method: 'PUT', body: JSON.stringify(body) });
    assert.equal((await put('alpha', { outage: true })).status, 200);
    assert.equal((await fetch(`${sandbox.baseUrls.alpha}/v1/ping`, { headers: auth })).status, 503);
    assert.equal((await fetch(`${sandbox.baseUrls.beta}/v1/ping`, { headers: auth })).status, 200);
    await put('alpha', { outage: false, errorRate: 1 });
    assert.ok(
      [500, 502, 503].includes((await fetch(`${sandbox.baseUrls.alpha}/v1/ping`, { headers: auth })).status),
    );
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
    assert.equal((await fetch(`${sandbox.baseUrls.alpha}/v1/ping`, { headers: auth })).status, 200);
  });

  it('refuses bad fault settings and unknown services with a clear error', async () => {
    const bad = await fetch(`${sandbox.url}/_sandbox/faults/alpha`, {
      method: 'PUT',
      body: '{"errorRate": 3}',
    });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /errorRate must be 0..1/);
    const notJson = await fetch(`${sandbox.url}/_sandbox/faults/alpha`, { method: 'PUT', body: 'nope' });
    assert.equal(notJson.status, 400);
    const unknown = await fetch(`${sandbox.url}/_sandbox/faults/gamma`, { method: 'PUT', body: '{}' });
    assert.equal(unknown.status, 404);
    const missing = await fetch(`${sandbox.url}/nowhere`);
    assert.equal(missing.status, 404);
  });

  it('parses --fault flags', () => {
    assert.deepEqual(parseFaultFlag('hubspot:latency=200,errors=0.1'), {
      service: 'hubspot',
      knobs: { latencyMs: 200, errorRate: 0.1 },
    });
    assert.deepEqual(parseFaultFlag('intercom:outage'), { service: 'intercom', knobs: { outage: true } });
    assert.throws(() => parseFaultFlag('intercom:bogus=1'), /unknown knob bogus/);
  });

  it('derives the same sequence from the same seed and label, a different one otherwise', () => {
    const a = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.next()
      )(derive(1, 'deals')),
    );
    const b = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.next()
      )(derive(1, 'deals')),
    );
    const c = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.next()
      )(derive(1, 'tickets')),
    );
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });
});
