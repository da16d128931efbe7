/**
 * What an approval covers over time, through the front door: a retried wallet transfer with the
 * same idempotency key replays the approved transfer without asking again (the wallet declares
 * idempotentHint), while a new key needs its own approval; how long a queued call is held open
 * is set per rule; and a change of policy voids approvals given under the old one.
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import { SqliteApprovalStore } from '../src/approvals/approval-store-sqlite.ts';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { APPROVAL_META_KEY } from '../src/stages/approve.ts';
import { openCommittedAudit } from './helpers/audit-reader.ts';
import {
  connectClient,
  fixtureUpstreamYaml,
  modelFromYaml,
  startGateway,
  stdioUpstreamYaml,
  type TestGateway,
  tempStorage,
  textOf,
} from './helpers/harness.ts';

const WALLET = fileURLToPath(new URL('../../wallet-server/src/main.ts', import.meta.url));

type CallResult = {
  content?: unknown;
  isError?: boolean;
  structuredContent?: { replayed?: boolean };
  _meta?: Record<string, { approvalId: string; status: string }>;
};

function approvalIdOf(result: CallResult): string | undefined {
  return result._meta?.[APPROVAL_META_KEY]?.approvalId;
}

function keysFor(storage: string, users: Record<string, string[]>): Record<string, string> {
  const store = new SqliteApiKeys(storage);
  try {
    return Object.fromEntries(
      Object.entries(users).map(([user, roles]) => [user, store.create({ user, roles }).key]),
    );
  } finally {
    store.close();
  }
}

async function approveAs(gw: TestGateway, key: string | undefined, id: string): Promise<void> {
  const response = await fetch(new URL(`/api/approvals/${id}/approve`, gw.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
  });
  assert.equal(response.status, 200, await response.text());
}

describe('approvals: a retried transfer with the same idempotency key is a replay', () => {
  let gw: TestGateway;
  let storage: string;
  let keys: Record<string, string>;

  before(async () => {
    storage = tempStorage();
    keys = keysFor(storage, { finance: ['finance'], admin: ['admin'] });
    const wallet = stdioUpstreamYaml(
      'wallet',
      WALLET,
      { WALLET_DB_PATH: `${storage}.wallet.db` },
      '    forwardIdentity: { meta: true }\n',
    );
    gw = await startGateway(`upstreams:\n${wallet}
auth: { apiKeys: true }
approvals: { mode: auto, destructiveTools: true, approvers: [admin] }
policy:
  groups:
    wallet: { allow: [{ tools: [wallet_get_balance] }, { tools: [wallet_transfer], approval: true }] }
  roles:
    finance: { groups: [wallet] }
    admin: { groups: [] }
storage: { path: ${JSON.stringify(storage)} }
`);
  });

  after(async () => {
    await gw?.close();
  });

  it('asks once, moves the money once, and lets the retry through as a replay', async () => {
    const finance = await connectClient(
      gw.url,
      'legacy',
      undefined,
      {},
      { authorization: `Bearer ${keys.finance}` },
    );
    const transfer = (idempotencyKey: string) =>
      finance.callTool({
        name: 'wallet_transfer',
        arguments: {
          fromAccountId: 'acc_finance_eur',
          toAccountId: 'acc_sales_eur',
          amount: '1.00',
          currency: 'EUR',
          idempotencyKey,
        },
      }) as Promise<CallResult>;
    try {
      const queued = await transfer('retry-key-0001');
      const id = approvalIdOf(queued);
      assert.ok(id, JSON.stringify(queued));
      await approveAs(gw, keys.admin, id);
      const done = await transfer('retry-key-0001');
      assert.notEqual(done.isError, true, textOf(done));
      assert.equal(done.structuredContent?.replayed, false);

      const retry = await transfer('retry-key-0001');
      assert.notEqual(retry.isError, true, `the retry asked again: ${textOf(retry)}`);
      assert.equal(retry.structuredContent?.replayed, true, 'the wallet replayed, nothing moved');

      // Another idempotency key is another transfer: it needs its own approval.
      const other = await transfer('retry-key-0002');
      assert.ok(approvalIdOf(other), 'a new transfer is queued for approval');
      assert.notEqual(approvalIdOf(other), id);
    } finally {
      await finance.close();
    }
    const metrics = await (await fetch(new URL('/metrics', gw.url))).text();
    assert.match(metrics, /gatehouse_approvals_total\{outcome="replayed"\} 1\b/);
    assert.match(metrics, /gatehouse_approvals_total\{outcome="approved"\} 1\b/);
    const response = await fetch(new URL('/api/approvals?status=used', gw.url), {
      headers: { authorization: `Bearer ${keys.admin}` },
    });
    const { approvals } = (await response.json()) as { approvals: { target: string }[] };
    assert.equal(approvals.filter((a) => a.target === 'wallet_transfer').length, 1, 'one approval used');

    const audit = await openCommittedAudit(storage);
    try {
      const calls = (await audit.query({ limit: 1000 })).filter(
        (r) => r.target === 'wallet_transfer' && r.status === 'ok',
      );
      assert.deepEqual(calls.map((r) => r.approvedBy?.replace(/apr_\S+\)/, 'apr_…)')).sort(), [
        'admin',
        'admin (replay of apr_…)',
      ]);
    } finally {
      await audit.close();
    }
  });
});

describe('approvals: waits per rule, and approvals bound to the policy version', () => {
  let gw: TestGateway;
  let storage: string;
  let keys: Record<string, string>;

  const policyYaml = (opsGroups: string, approvers = 'admin') => `auth: { apiKeys: true }
approvals: { mode: queue, approvers: [${approvers}] }
policy:
  groups:
    work:
      allow:
        - tools: [alpha_echo]
          approval: { waitSeconds: 20 }
        - tools: [alpha_pid]
          approval: true
    extra: { allow: [{ tools: [alpha_echo] }] }
  roles:
    ops: { groups: [${opsGroups}] }
    admin: { groups: [] }
`;

  before(async () => {
    storage = tempStorage();
    keys = keysFor(storage, { alice: ['ops'], bob: ['admin'] });
    gw = await startGateway(
      `upstreams:\n${fixtureUpstreamYaml('alpha')}\n${policyYaml('work')}storage: { path: ${JSON.stringify(storage)} }\n`,
    );
  });

  after(async () => {
    await gw?.close();
  });

  function asAlice(): Promise<Client> {
    return connectClient(gw.url, 'modern', undefined, {}, { authorization: `Bearer ${keys.alice}` });
  }

  async function approveWhenQueued(): Promise<void> {
    const headers = { authorization: `Bearer ${keys.bob}` };
    for (;;) {
      const response = await fetch(new URL('/api/approvals?status=pending', gw.url), { headers });
      const { approvals } = (await response.json()) as { approvals: { id: string; target: string }[] };
      const queued = approvals.find((a) => a.target === 'alpha_echo');
      if (queued !== undefined) return approveAs(gw, keys.bob, queued.id);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it("holds a rule's queued call open for its own waitSeconds; other rules answer at once", async () => {
    const alice = await asAlice();
    try {
      const [held] = await Promise.all([
        alice.callTool({ name: 'alpha_echo', arguments: { message: 'held' } }),
        approveWhenQueued(),
      ]);
      assert.equal(textOf(held), 'alpha: held');
      const started = Date.now();
      const answered = (await alice.callTool({ name: 'alpha_pid', arguments: {} })) as CallResult;
      assert.ok(approvalIdOf(answered), JSON.stringify(answered));
      assert.ok(Date.now() - started < 5000, 'approvals.waitSeconds (0) applies to the other rule');
    } finally {
      await alice.close();
    }
  });

  it('does not spend an approval given under another policy version', async () => {
    const alice = await asAlice();
    try {
      const queued = (await alice.callTool({ name: 'alpha_pid', arguments: { n: 1 } })) as CallResult;
      const id = approvalIdOf(queued);
      assert.ok(id);
      await approveAs(gw, keys.bob, id);
      const next = modelFromYaml(
        `upstreams:\n${fixtureUpstreamYaml('alpha')}\n${policyYaml('work, extra')}storage: { path: ${JSON.stringify(storage)} }\n`,
      );
      next.server.port = gw.gateway.model.server.port;
      const reloaded = await gw.gateway.reload(next);
      assert.equal(reloaded.ok, true, JSON.stringify(reloaded));
      const after = (await alice.callTool({ name: 'alpha_pid', arguments: { n: 1 } })) as CallResult;
      const again = approvalIdOf(after);
      assert.ok(again, `the old approval was spent under the new policy: ${JSON.stringify(after)}`);
      assert.notEqual(again, id);
    } finally {
      await alice.close();
    }
  });

  it('follows a reload of who the approvers are on the HTTP API', async () => {
    const list = async (user: string) =>
      (await fetch(new URL('/api/approvals', gw.url), { headers: { authorization: `Bearer ${keys[user]}` } }))
        .status;
    assert.equal(await list('alice'), 403);
    const next = modelFromYaml(
      `upstreams:\n${fixtureUpstreamYaml('alpha')}\n${policyYaml('work, extra', 'ops')}storage: { path: ${JSON.stringify(storage)} }\n`,
    );
    next.server.port = gw.gateway.model.server.port;
    assert.equal((await gw.gateway.reload(next)).ok, true);
    assert.equal(await list('alice'), 200, 'the reloaded approvers apply');
    assert.equal(await list('bob'), 403);
  });
});

describe('approvals: a queue made by an earlier version', () => {
  it('gains the binding columns, keeps its requests, and binds new ones', async () => {
    const path = tempStorage();
    const old = new DatabaseSync(path);
    old.exec(`CREATE TABLE approvals (id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status TEXT NOT NULL,
      principal_id TEXT NOT NULL, user TEXT NOT NULL, roles TEXT NOT NULL, method TEXT NOT NULL,
      target TEXT NOT NULL, upstream TEXT, arguments TEXT, rule TEXT, created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL, decided_at INTEGER, decided_by TEXT, note TEXT);
      INSERT INTO approvals VALUES ('apr_old', 'fp', 'approved', 'key:a', 'alice', '[]', 'tools/call',
      'alpha_wipe', 'alpha', '{}', null, 1, ${Date.now() + 60_000}, 1, 'bob', null);`);
    old.close();
    const store = new SqliteApprovalStore(path);
    try {
      assert.equal((await store.get('apr_old'))?.policyVersion, null);
      const call = {
        fingerprint: 'fp',
        principal: { id: 'key:a', user: 'alice', roles: [] },
        method: 'tools/call',
        target: 'alpha_wipe',
        upstream: 'alpha',
        arguments: {},
        argumentsHash: 'h',
        policyVersion: 'v1',
        rule: null,
      };
      const answer = await store.request(call);
      assert.equal(answer.kind, 'pending', 'an approval from before the binding is not spent');
      assert.equal(answer.request.policyVersion, 'v1');
      assert.equal(answer.request.argumentsHash, 'h');
    } finally {
      await store.close();
    }
  });
});
