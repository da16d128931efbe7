/**
 * What replicas behind nginx (helpers/replicas.ts: round-robin, no affinity; PostgreSQL and Redis
 * the only things shared) must share beyond stateless calls, through the front door:
 *
 * - a 2025-era session's calls are answered whichever replica nginx picks (the load with a
 *   replica SIGKILLed, in both eras, is in replicas.test.ts);
 * - a call waiting for an approval on one replica is released by an approval made on another;
 * - a key revoked (`gatehouse keys revoke` with the replicas' config) is refused by every replica
 *   within the documented time (the key cache, 5 s).
 *
 * Needs `source scripts/services.sh` (PostgreSQL, Redis, nginx); without them it fails, never skips.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { APPROVAL_META_KEY } from '../src/stages/approve.ts';
import { type CallOutcome, callOutcome, killLeftoverGateways } from './helpers/child-gateway.ts';
import { connectClient, fixtureUpstreamYaml, OPEN_ACCESS_YAML, textOf, waitFor } from './helpers/harness.ts';
import { dropPgSchemas } from './helpers/pg-schema.ts';
import { MODERN_ENVELOPE, post } from './helpers/raw-http.ts';
import { type Replicas, startReplicas } from './helpers/replicas.ts';

after(async () => {
  killLeftoverGateways();
  await dropPgSchemas();
});

function servedBy(fleet: Replicas): Set<number> {
  const ports = new Set<number>();
  for (const address of fleet.balancer?.upstreamAddresses() ?? []) {
    const port = Number(address.split(':').at(-1));
    if (Number.isInteger(port)) ports.add(port);
  }
  return ports;
}

describe('replicas behind nginx: 2025-era sessions', () => {
  it("a session's calls are answered whichever replica nginx picks", async () => {
    const fleet = await startReplicas({
      count: 3,
      yaml: `upstreams:\n${fixtureUpstreamYaml('alpha')}\n${OPEN_ACCESS_YAML}`,
    });
    let client: Client | undefined;
    try {
      client = await connectClient(fleet.url, 'legacy');
      const outcomes: CallOutcome[] = [];
      for (let i = 0; i < 30; i++)
        outcomes.push(await callOutcome(client, 'alpha_echo', { message: `s-${i}` }));
      assert.deepEqual(
        outcomes.map((o) => (o.kind === 'result' ? o.text : `${o.kind}: ${'message' in o ? o.message : ''}`)),
        Array.from({ length: 30 }, (_, i) => `alpha: s-${i}`),
      );
      assert.equal(servedBy(fleet).size, 3, 'round-robin spread the session over the three replicas');
    } finally {
      await client?.close().catch(() => {});
      await fleet.stop();
    }
  });
});

const KEYS = { alice: 'alice-key-0123456789abcdef0123456789', bob: 'bob-key-0123456789abcdef0123456789ab' };

const APPROVALS_YAML = `auth:
  staticKeys:
    - { key: ${KEYS.alice}, user: alice, roles: [ops] }
    - { key: ${KEYS.bob}, user: bob, roles: [admin] }
approvals:
  mode: queue
  approvers: [admin]
  waitSeconds: 60
policy:
  groups:
    work:
      allow:
        - tools: [alpha_echo]
        - tools: [alpha_pid]
          approval: queue
  roles:
    ops: { groups: [work] }
    admin: { groups: [work] }
`;

describe('replicas behind nginx: approvals', () => {
  it('an approval made through one replica releases the call waiting on another', async () => {
    const fleet = await startReplicas({
      count: 3,
      yaml: `upstreams:\n${fixtureUpstreamYaml('alpha')}\n${APPROVALS_YAML}`,
    });
    const [waiting, listing, deciding] = fleet.replicas;
    assert.ok(waiting && listing && deciding);
    let alice: Client | undefined;
    try {
      alice = await connectClient(
        waiting.url,
        'modern',
        undefined,
        {},
        { authorization: `Bearer ${KEYS.alice}` },
      );
      const held = alice.callTool({ name: 'alpha_pid', arguments: {} }, { timeout: 90_000 });
      // Failing first below, the test must report why, not this call's rejection at the stop.
      held.catch(() => {});
      const asBob = async (url: string, path: string, init: RequestInit = {}) => {
        const response = await fetch(new URL(path, url), {
          ...init,
          headers: { authorization: `Bearer ${KEYS.bob}`, 'content-type': 'application/json' },
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      // The queued request is visible through another replica…
      let approvalId: string | undefined;
      await waitFor(
        async () => {
          const pending = await asBob(listing.url, '/api/approvals?status=pending');
          const list = (pending.body.approvals ?? []) as { id?: string }[];
          approvalId = list[0]?.id;
          return approvalId !== undefined;
        },
        15_000,
        `the pending approval listed through replica ${listing.index}`,
      );
      // …and approved through a third.
      const approved = await asBob(deciding.url, `/api/approvals/${approvalId}/approve`, { method: 'POST' });
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      const started = Date.now();
      const result = await held;
      assert.equal(result._meta?.[APPROVAL_META_KEY], undefined, JSON.stringify(result));
      assert.match(textOf(result), /^\d+$/, 'the fixture answered with its pid');
      assert.ok(Date.now() - started < 10_000, 'released within 10 s of the approval');
    } finally {
      await alice?.close().catch(() => {});
      await fleet.stop();
    }
  });
});

describe('replicas behind nginx: key revocation', () => {
  it('a key revoked with the CLI is refused by every replica within the key cache time (5 s)', async () => {
    const fleet = await startReplicas({
      count: 3,
      yaml: `upstreams:\n${fixtureUpstreamYaml('alpha')}\nauth:\n  apiKeys: true\npolicy:\n  groups:\n    work:\n      allow: [{ tools: [alpha_echo] }]\n  roles:\n    ops: { groups: [work] }\n`,
    });
    try {
      const created = await fleet.cli(['keys', 'create', '--user', 'carol', '--roles', 'ops', '--json']);
      assert.equal(created.status, 0, created.stderr);
      const { key, id } = JSON.parse(created.stdout) as { key: string; id: string };
      /** One 2026-07-28 tools/call with carol's key: "ok", or the HTTP status it was refused with. */
      const callWith = async (url: string): Promise<'ok' | number> => {
        const exchange = await post(
          url,
          {
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/call',
            params: { name: 'alpha_echo', arguments: { message: 'k' }, _meta: MODERN_ENVELOPE },
          },
          {
            authorization: `Bearer ${key}`,
            'mcp-protocol-version': '2026-07-28',
            'mcp-method': 'tools/call',
            'mcp-name': 'alpha_echo',
          },
        );
        return exchange.status === 200 && JSON.stringify(exchange.messages).includes('alpha: k')
          ? 'ok'
          : exchange.status;
      };
      // A key made with the CLI works on every replica at once.
      for (const replica of fleet.replicas)
        assert.equal(await callWith(replica.url), 'ok', `replica ${replica.index}`);
      const revoked = await fleet.cli(['keys', 'revoke', id]);
      assert.equal(revoked.status, 0, revoked.stderr);
      const revokedAt = Date.now();
      for (const replica of fleet.replicas) {
        await waitFor(
          async () => (await callWith(replica.url)) === 401,
          Math.max(0, 5_000 + 1_000 - (Date.now() - revokedAt)),
          `replica ${replica.index} refusing the revoked key`,
        );
      }
    } finally {
      await fleet.stop();
    }
  });
});
