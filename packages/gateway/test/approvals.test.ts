/**
 * Approvals through the front door: in band (the calling user answers an elicitation, in both
 * eras), out of band (the queue, decided over the HTTP API and with the CLI), destructive
 * annotations, four-eyes, single use, denials, forged answers — and every decision audited.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import {
  answerApproves,
  approvalNeed,
  callFingerprint,
  canAnswerInBand,
  DESTRUCTIVE_RULE,
} from '../src/approvals/approval-call.ts';
import { mayDecide } from '../src/approvals/approval-decisions.ts';
import { SqliteApprovalStore } from '../src/approvals/approval-store-sqlite.ts';
import { verifyChain } from '../src/audit/verify.ts';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { APPROVAL_META_KEY } from '../src/stages/approve.ts';
import { openCommittedAudit } from './helpers/audit-reader.ts';
import {
  type ClientEra,
  connectClient,
  errorOf,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  tempStorage,
  textOf,
} from './helpers/harness.ts';
import { modernCallAs } from './helpers/raw-http.ts';

const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));

const CONFIG = `auth:
  apiKeys: true
approvals:
  mode: auto
  destructiveTools: true
  approvers: [admin]
  ttlSeconds: 120
policy:
  groups:
    work:
      allow:
        - tools: [alpha_echo]
          when: ['message != "big"']
        - tools: [alpha_echo]
          when: ['message == "big"']
          approval: true
        - tools: [alpha_ask]
          approval: in-band
        - tools: [alpha_pid]
          approval: queue
        - tools: [alpha_wipe]
    review:
      allow: [{ tools: [alpha_echo] }]
  roles:
    ops: { groups: [work] }
    admin: { groups: [review] }
`;

describe('approvals', () => {
  let gw: TestGateway;
  let storage: string;
  let configFile: string;
  const keys: Record<string, string> = {};

  before(async () => {
    storage = tempStorage();
    const yaml = `upstreams:\n${fixtureUpstreamYaml('alpha', { FIXTURE_DESTRUCTIVE: 'wipe' })}\n${CONFIG}storage: { path: ${JSON.stringify(storage)} }\n`;
    configFile = `${storage}.yaml`;
    writeFileSync(configFile, yaml);
    const store = new SqliteApiKeys(storage);
    keys.alice = store.create({ user: 'alice', roles: ['ops'] }).key;
    keys.bob = store.create({ user: 'bob', roles: ['admin'] }).key;
    keys.root = store.create({ user: 'root', roles: ['ops', 'admin'] }).key;
    store.close();
    gw = await startGateway(yaml);
  });

  after(async () => {
    await gw?.close();
  });

  /** A client for `user`; with `answer`, it can be asked (elicitation) and answers with it. */
  function as(
    user: string,
    era: ClientEra,
    answer?: (message: string) => Record<string, unknown>,
    asked: string[] = [],
  ): Promise<Client> {
    const setup = answer
      ? (c: Client) =>
          c.setRequestHandler('elicitation/create', async (request) => {
            const message = String((request.params as { message?: string }).message);
            asked.push(message);
            return answer(message) as never;
          })
      : undefined;
    const capabilities = answer ? { capabilities: { elicitation: { form: {} } } } : {};
    return connectClient(gw.url, era, setup, capabilities, { authorization: `Bearer ${keys[user]}` });
  }

  async function api(user: string | null, path: string, init: RequestInit = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (user !== null) headers.authorization = `Bearer ${keys[user]}`;
    const response = await fetch(new URL(path, gw.url), { ...init, headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  function approvalOf(result: Record<string, unknown>): { approvalId: string; status: string } {
    const meta = result._meta as Record<string, { approvalId: string; status: string }> | undefined;
    const data = meta?.[APPROVAL_META_KEY];
    assert.ok(data, `expected an awaiting-approval result, got ${JSON.stringify(result)}`);
    return data;
  }

  async function auditRecords() {
    const store = await openCommittedAudit(storage);
    try {
      return await store.query({ limit: 10_000 });
    } finally {
      await store.close();
    }
  }

  for (const era of ['legacy', 'modern'] as const) {
    it(`asks the calling user in band and runs the call once they approve (${era})`, async () => {
      const asked: string[] = [];
      const alice = await as('alice', era, () => ({ action: 'accept', content: { approve: true } }), asked);
      try {
        // A call no rule marks goes straight through; the marked one is asked about first.
        assert.equal(
          textOf(await alice.callTool({ name: 'alpha_echo', arguments: { message: 'small' } })),
          'alpha: small',
        );
        assert.equal(asked.length, 0);
        const result = await alice.callTool({ name: 'alpha_echo', arguments: { message: 'big' } });
        assert.equal(textOf(result), 'alpha: big');
        assert.equal(asked.length, 1);
        assert.match(asked[0] ?? '', /alpha_echo/);
        assert.match(asked[0] ?? '', /"message": "big"/);
      } finally {
        await alice.close();
      }
      const records = await auditRecords();
      const approved = records.find(
        (r) => r.era === era && r.target === 'alpha_echo' && r.approvedBy !== null,
      );
      assert.equal(approved?.approvedBy, 'alice (in-band)');
      assert.equal(approved?.status, 'ok');
    });

    it(`refuses with -32058 when the user declines, and nothing reaches the upstream (${era})`, async () => {
      const alice = await as('alice', era, () => ({ action: 'decline' }));
      try {
        const before = await wipeCounter();
        const error = await errorOf(alice.callTool({ name: 'alpha_echo', arguments: { message: 'big' } }));
        assert.equal(error.code, -32058, JSON.stringify(error));
        assert.match(error.message ?? '', /did not approve/);
        const declinedWipe = await errorOf(
          alice.callTool({ name: 'alpha_wipe', arguments: { target: 'db' } }),
        );
        assert.equal(declinedWipe.code, -32058);
        assert.equal(await wipeCounter(), before + 1, 'the declined destructive call did not run');
      } finally {
        await alice.close();
      }
    });

    it(`asks once when the approved call then needs the user's input itself (${era})`, async () => {
      const asked: string[] = [];
      const alice = await as(
        'alice',
        era,
        (message) =>
          message === 'Which word?'
            ? { action: 'accept', content: { word: 'teal' } }
            : { action: 'accept', content: { approve: true } },
        asked,
      );
      try {
        const result = await alice.callTool({ name: 'alpha_ask', arguments: {} });
        assert.equal(textOf(result), 'you said teal');
        assert.equal(asked.filter((m) => m !== 'Which word?').length, 1, 'approval asked once');
        assert.equal(asked.filter((m) => m === 'Which word?').length, 1);
      } finally {
        await alice.close();
      }
    });
  }

  /** Runs the destructive fixture tool once (queued, approved by bob) and returns its call number. */
  async function wipeCounter(): Promise<number> {
    const alice = await as('alice', 'modern');
    try {
      const call = { name: 'alpha_wipe', arguments: { target: 'probe' } };
      const { approvalId } = approvalOf((await alice.callTool(call)) as Record<string, unknown>);
      assert.equal(
        (await api('bob', `/api/approvals/${approvalId}/approve`, { method: 'POST' })).status,
        200,
      );
      const text = textOf(await alice.callTool(call));
      return Number(/call #(\d+)/.exec(text)?.[1]);
    } finally {
      await alice.close();
    }
  }

  it('queues the call for a client that cannot be asked, and an approver lets it through once', async () => {
    const alice = await as('alice', 'legacy');
    try {
      const first = (await alice.callTool({ name: 'alpha_echo', arguments: { message: 'big' } })) as Record<
        string,
        unknown
      >;
      assert.equal(first.isError, true);
      const { approvalId, status } = approvalOf(first);
      assert.equal(status, 'pending');
      assert.match(textOf(first), /waiting for it as apr_/);
      // Asking again does not queue a duplicate.
      const again = (await alice.callTool({ name: 'alpha_echo', arguments: { message: 'big' } })) as Record<
        string,
        unknown
      >;
      assert.equal(approvalOf(again).approvalId, approvalId);

      const pending = await api('bob', '/api/approvals?status=pending');
      assert.equal(pending.status, 200);
      const listed = (
        pending.body.approvals as { id: string; arguments: unknown; principal: { user: string } }[]
      ).find((a) => a.id === approvalId);
      assert.deepEqual(listed?.arguments, { message: 'big' });
      assert.equal(listed?.principal.user, 'alice');

      assert.equal(
        (await api('bob', `/api/approvals/${approvalId}/approve`, { method: 'POST', body: '{"note":"ok"}' }))
          .status,
        200,
      );
      assert.equal(
        (await api('bob', `/api/approvals/${approvalId}/approve`, { method: 'POST' })).status,
        409,
      );

      // Other arguments are another call: still needs its own approval.
      const other = (await alice.callTool({
        name: 'alpha_echo',
        arguments: { message: 'big', extra: 1 },
      })) as Record<string, unknown>;
      assert.equal(other.isError, true);
      const ran = await alice.callTool({ name: 'alpha_echo', arguments: { message: 'big' } });
      assert.equal(textOf(ran), 'alpha: big');
      // Spent: the next identical call is queued anew.
      const next = (await alice.callTool({ name: 'alpha_echo', arguments: { message: 'big' } })) as Record<
        string,
        unknown
      >;
      assert.notEqual(approvalOf(next).approvalId, approvalId);
    } finally {
      await alice.close();
    }
    const records = await auditRecords();
    assert.ok(
      records.some(
        (r) => r.method === 'approvals/approve' && r.principal?.user === 'bob' && r.status === 'ok',
      ),
    );
    assert.ok(records.some((r) => r.method === 'tools/call' && r.approvedBy === 'bob' && r.status === 'ok'));
    assert.ok(records.some((r) => r.method === 'tools/call' && r.status === 'awaiting_approval'));
  });

  it('keeps "queue" rules out of band even for clients that could be asked', async () => {
    const alice = await as('alice', 'modern', () => ({ action: 'accept', content: { approve: true } }));
    try {
      const result = (await alice.callTool({ name: 'alpha_pid', arguments: {} })) as Record<string, unknown>;
      assert.equal(approvalOf(result).status, 'pending');
    } finally {
      await alice.close();
    }
  });

  it('asks nobody to approve a call its tool would refuse: the arguments are checked first', async () => {
    const before = await api('bob', '/api/approvals?status=pending');
    const pending = (before.body.approvals as unknown[]).length;
    for (const era of ['legacy', 'modern'] as const) {
      const alice = await as('alice', era);
      try {
        // alpha_wipe is destructive (so it needs approval) and takes `target` as a string.
        const result = (await alice.callTool({
          name: 'alpha_wipe',
          arguments: { target: { everything: true } },
        })) as { isError?: boolean; content: { text: string }[] };
        assert.equal(result.isError, true, JSON.stringify(result));
        assert.match(
          result.content[0]?.text ?? '',
          /^Input validation error: Invalid arguments for tool alpha_wipe: target must be string \(not sent for approval\)$/,
        );
      } finally {
        await alice.close();
      }
    }
    const after = await api('bob', '/api/approvals?status=pending');
    assert.equal((after.body.approvals as unknown[]).length, pending, 'no approval request was made');
  });

  it('refuses an "in-band" rule with -32055 when the client cannot be asked', async () => {
    const alice = await as('alice', 'modern');
    try {
      const error = await errorOf(alice.callTool({ name: 'alpha_ask', arguments: {} }));
      assert.equal(error.code, -32055);
      assert.match(error.message ?? '', /elicitation/);
    } finally {
      await alice.close();
    }
  });

  it('guards the HTTP API: credentials, approver role, four-eyes, bad bodies, unknown ids', async () => {
    assert.equal((await api(null, '/api/approvals')).status, 401);
    assert.equal((await api('alice', '/api/approvals')).status, 403);
    assert.equal((await api('bob', '/api/approvals?status=bogus')).status, 400);
    assert.equal((await api('bob', '/api/approvals/apr_nope')).status, 404);
    assert.equal((await api('bob', '/api/approvals/apr_nope/approve', { method: 'POST' })).status, 404);
    assert.equal((await api('bob', '/api/approvals/apr_nope/approve')).status, 405);

    const root = await as('root', 'legacy');
    try {
      const queued = (await root.callTool({ name: 'alpha_pid', arguments: {} })) as Record<string, unknown>;
      const { approvalId } = approvalOf(queued);
      const self = await api('root', `/api/approvals/${approvalId}/approve`, { method: 'POST' });
      assert.equal(self.status, 403);
      assert.match(String(self.body.error), /own request/);
      const bad = await api('bob', `/api/approvals/${approvalId}/deny`, {
        method: 'POST',
        body: '{"note": 5}',
      });
      assert.equal(bad.status, 400);
      assert.equal((await api('bob', `/api/approvals/${approvalId}`)).body.status, 'pending');
      // Both refusals are audited, with the reason and who tried.
      const records = await auditRecords();
      const refused = records.filter((r) => r.status === 'denied' && r.method.startsWith('approvals/'));
      const ownRequest = refused.find((r) => r.principal?.user === 'root' && r.target === approvalId);
      assert.equal(ownRequest?.method, 'approvals/approve');
      assert.match(ownRequest?.errorMessage ?? '', /own request/);
      const outsider = refused.find((r) => r.principal?.user === 'alice' && r.method === 'approvals/list');
      assert.match(outsider?.errorMessage ?? '', /needs one of the roles/);
    } finally {
      await root.close();
    }
  });

  it('decides with the CLI: a denial is told to the caller, names the approver, and is audited', async () => {
    const alice = await as('alice', 'legacy');
    try {
      const queued = (await alice.callTool({ name: 'alpha_wipe', arguments: { target: 'prod' } })) as Record<
        string,
        unknown
      >;
      const { approvalId } = approvalOf(queued);
      const cli = (...args: string[]) =>
        spawnSync(process.execPath, [BIN, 'approvals', ...args, '--config', configFile], {
          encoding: 'utf8',
        });
      const listed = cli('list');
      assert.equal(listed.status, 0, listed.stderr);
      assert.match(listed.stdout, new RegExp(`${approvalId} pending`));
      const shown = cli('show', approvalId);
      assert.match(shown.stdout, /"target": "prod"/);
      const denied = cli('deny', approvalId, '--by', 'bob', '--note', 'not during the freeze');
      assert.equal(denied.status, 0, denied.stderr);
      assert.equal(cli('approve', approvalId, '--by', 'bob').status, 1, 'already decided');

      const error = await errorOf(alice.callTool({ name: 'alpha_wipe', arguments: { target: 'prod' } }));
      assert.equal(error.code, -32058);
      assert.match(error.message ?? '', /denied by bob: not during the freeze/);
      assert.match(cli('list', '--status', 'denied').stdout, new RegExp(approvalId));
    } finally {
      await alice.close();
    }
    const records = await auditRecords();
    const decision = records.find((r) => r.method === 'approvals/deny');
    assert.equal(decision?.principal?.user, 'bob');
    assert.equal(decision?.transport, 'cli');
    assert.ok(
      records.some((r) => r.method === 'tools/call' && r.errorCode === -32058 && r.status === 'denied'),
    );
    // The CLI and the gateway both appended to one chain; it is intact.
    const store = await openCommittedAudit(storage);
    try {
      const verified = await verifyChain(store);
      assert.equal(verified.ok, true, JSON.stringify(verified));
    } finally {
      await store.close();
    }
  });

  it('refuses a forged or mismatched in-band answer', async () => {
    const post = (params: Record<string, unknown>) =>
      modernCallAs<{
        result?: { resultType?: string; requestState?: string; inputRequests?: Record<string, unknown> };
        error?: { code: number; message: string };
      }>(gw.url, keys.alice ?? '', 'alpha_echo', params);
    const first = await post({ arguments: { message: 'big' } });
    assert.equal(first.result?.resultType, 'input_required');
    assert.ok(first.result?.inputRequests?.['gatehouse-approval']);
    const state = first.result?.requestState;
    const yes = { 'gatehouse-approval': { action: 'accept', content: { approve: true } } };
    // The approval was for exactly these arguments; it cannot carry another call.
    const swapped = await post({
      arguments: { message: 'big', extra: 1 },
      requestState: state,
      inputResponses: yes,
    });
    assert.equal(swapped.error?.code, -32602, JSON.stringify(swapped));
    const forged = await post({
      arguments: { message: 'big' },
      requestState: 'v1.forged',
      inputResponses: yes,
    });
    assert.equal(forged.error?.code, -32602);
    const missing = await post({ arguments: { message: 'big' }, requestState: state });
    assert.equal(missing.error?.code, -32058);
    const ok = await post({ arguments: { message: 'big' }, requestState: state, inputResponses: yes });
    assert.equal((ok.result as { content?: { text: string }[] })?.content?.[0]?.text, 'alpha: big');
  });
});

describe('approval queue and approval decisions (units)', () => {
  const call = {
    fingerprint: 'fp-1',
    principal: { id: 'key:a', user: 'alice', roles: ['ops'] },
    method: 'tools/call',
    target: 'alpha_wipe',
    upstream: 'alpha',
    arguments: { target: 'db' },
    argumentsHash: 'h-1',
    policyVersion: 'v-1',
    rule: DESTRUCTIVE_RULE,
  };

  it('fingerprints ignore key order and tell principals, targets and arguments apart', () => {
    const base = callFingerprint('key:a', 'tools/call', 'x', { a: 1, b: [1, 2] });
    assert.equal(callFingerprint('key:a', 'tools/call', 'x', { b: [1, 2], a: 1 }), base);
    assert.notEqual(callFingerprint('key:b', 'tools/call', 'x', { a: 1, b: [1, 2] }), base);
    assert.notEqual(callFingerprint('key:a', 'tools/call', 'y', { a: 1, b: [1, 2] }), base);
    assert.notEqual(callFingerprint('key:a', 'tools/call', 'x', { a: 1, b: [2, 1] }), base);
  });

  it('reads only an explicit accept with approve: true as a yes', () => {
    assert.equal(answerApproves({ action: 'accept', content: { approve: true } }), true);
    for (const answer of [
      { action: 'accept', content: { approve: false } },
      { action: 'accept', content: { approve: 'true' } },
      { action: 'accept' },
      { action: 'decline', content: { approve: true } },
      { action: 'cancel' },
      null,
      'yes',
    ]) {
      assert.equal(answerApproves(answer), false, JSON.stringify(answer));
    }
  });

  it('decides who needs approval, how, and who may decide', async () => {
    const config = {
      mode: 'auto' as const,
      destructiveTools: true,
      ttlSeconds: 60,
      waitSeconds: 0,
      approvers: ['admin'],
      allowSelfApproval: false,
    };
    const allow = { effect: 'allow' as const, visible: true, rule: 'r', approval: null, reason: '' };
    assert.equal(approvalNeed(allow, { annotations: {} }, config), null);
    assert.deepEqual(approvalNeed(allow, { annotations: { destructiveHint: true } }, config), {
      mode: 'auto',
      waitSeconds: 0,
      because: DESTRUCTIVE_RULE,
    });
    assert.equal(
      approvalNeed(allow, { annotations: { destructiveHint: true } }, { ...config, destructiveTools: false }),
      null,
    );
    const queue = { mode: 'queue' as const, waitSeconds: 7 };
    assert.deepEqual(approvalNeed({ ...allow, approval: queue }, undefined, config), {
      mode: 'queue',
      waitSeconds: 7,
      because: 'r',
    });
    assert.equal(approvalNeed({ ...allow, effect: 'deny', approval: queue }, undefined, config), null);
    assert.equal(canAnswerInBand(undefined), false);
    assert.equal(canAnswerInBand({ elicitation: {} }), true);
    assert.equal(canAnswerInBand({ elicitation: { url: {} } }), false);

    const request = new SqliteApprovalStore(tempStorage());
    try {
      const queued = (await request.request(call)).request;
      const principal = (id: string, roles: string[]) =>
        ({ id, user: id, org: undefined, roles, via: 'api-key', scopes: [] }) as const;
      assert.equal(mayDecide(principal('key:b', ['admin']), queued, config).ok, true);
      assert.equal(mayDecide(principal('key:b', ['ops']), queued, config).ok, false);
      assert.equal(mayDecide(principal('key:a', ['admin']), queued, config).ok, false);
      assert.equal(
        mayDecide(principal('key:a', ['admin']), queued, { ...config, allowSelfApproval: true }).ok,
        true,
      );
    } finally {
      await request.close();
    }
  });
});

describe('approvals: a queued call held open for a decision (waitSeconds)', () => {
  let gw: TestGateway;
  const keys: Record<string, string> = {};

  before(async () => {
    const storage = tempStorage();
    const store = new SqliteApiKeys(storage);
    keys.alice = store.create({ user: 'alice', roles: ['ops'] }).key;
    keys.bob = store.create({ user: 'bob', roles: ['admin'] }).key;
    store.close();
    gw = await startGateway(`upstreams:\n${fixtureUpstreamYaml('alpha')}
auth: { apiKeys: true }
approvals: { mode: queue, waitSeconds: 20, approvers: [admin] }
policy:
  groups:
    work: { allow: [{ tools: [alpha_echo], approval: true }] }
  roles:
    ops: { groups: [work] }
    admin: { groups: [] }
storage: { path: ${JSON.stringify(storage)} }
`);
  });

  after(async () => {
    await gw?.close();
  });

  async function decideWhenQueued(verdict: 'approve' | 'deny'): Promise<void> {
    const headers = { authorization: `Bearer ${keys.bob}` };
    for (;;) {
      const response = await fetch(new URL('/api/approvals?status=pending', gw.url), { headers });
      const { approvals } = (await response.json()) as { approvals: { id: string }[] };
      const queued = approvals[0];
      if (queued !== undefined) {
        const decided = await fetch(new URL(`/api/approvals/${queued.id}/${verdict}`, gw.url), {
          method: 'POST',
          headers,
        });
        assert.equal(decided.status, 200);
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('answers the waiting call as soon as an approver says yes — or no', async () => {
    const alice = await connectClient(
      gw.url,
      'modern',
      undefined,
      {},
      { authorization: `Bearer ${keys.alice}` },
    );
    try {
      const [result] = await Promise.all([
        alice.callTool({ name: 'alpha_echo', arguments: { message: 'held' } }),
        decideWhenQueued('approve'),
      ]);
      assert.equal(textOf(result), 'alpha: held');
      const [error] = await Promise.all([
        errorOf(alice.callTool({ name: 'alpha_echo', arguments: { message: 'refused' } })),
        decideWhenQueued('deny'),
      ]);
      assert.equal(error.code, -32058);
      assert.match(error.message ?? '', /denied by bob/);
    } finally {
      await alice.close();
    }
  });
});
