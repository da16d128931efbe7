/**
 * The approval queue's behaviour, the same on both stores: the embedded SQLite database and the
 * shared PostgreSQL replicas use. "Two replicas" are two stores on one database: an approval is
 * spent once however the two race, a decision made through one releases a call waiting on the
 * other, in-band answers and rounds are spent once, and expiry and denials hold.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DESTRUCTIVE_RULE } from '../src/approvals/approval-call.ts';
import type { ApprovalStore, NewApproval } from '../src/approvals/approval-store.ts';
import { pendingCountReader } from '../src/approvals/pending-count.ts';
import { dropPgSchemas } from './helpers/pg-schema.ts';
import { STORE_BACKENDS } from './helpers/store-backends.ts';

after(dropPgSchemas);

let calls = 0;
/** A call with a fingerprint of its own (tests on one database do not see each other's). */
function newCall(): NewApproval {
  calls += 1;
  return {
    fingerprint: `fp-${calls}-${Math.random().toString(36).slice(2)}`,
    principal: { id: 'key:a', user: 'alice', roles: ['ops'] },
    method: 'tools/call',
    target: 'alpha_wipe',
    upstream: 'alpha',
    arguments: { target: 'db' },
    argumentsHash: 'h-1',
    policyVersion: 'v-1',
    rule: DESTRUCTIVE_RULE,
  };
}

for (const backend of STORE_BACKENDS) {
  describe(`approval queue on ${backend.name}`, () => {
    it('expires unanswered requests and unspent approvals; a denial stands until it expires', async () => {
      let now = Date.parse('2026-11-21T10:00:00Z');
      const { a: store, close } = await backend.approvals({ ttlSeconds: 60, clock: () => now });
      const call = newCall();
      try {
        const first = await store.request(call);
        assert.equal(first.kind, 'pending');
        assert.equal(await store.countPending(), 1);
        now += 61_000;
        assert.equal((await store.get(first.request.id))?.status, 'expired');
        assert.equal(await store.countPending(), 0);
        assert.deepEqual(await store.decide(first.request.id, 'approve', 'bob'), {
          ok: false,
          reason: 'not-pending',
          request: await store.get(first.request.id),
        });
        const second = await store.request(call);
        assert.notEqual(second.request.id, first.request.id, 'an expired request is replaced');
        assert.equal((await store.decide(second.request.id, 'approve', 'bob')).ok, true);
        now += 61_000;
        assert.equal((await store.request(call)).kind, 'pending', 'an approval not spent in time is void');
        const third = (await store.list({ status: 'pending' }))[0];
        assert.ok(third);
        const denied = await store.decide(third.id, 'deny', 'bob', 'no');
        assert.equal(denied.ok && denied.request.note, 'no');
        assert.equal((await store.request(call)).kind, 'denied');
        now += 61_000;
        assert.equal(
          (await store.request(call)).kind,
          'pending',
          'after the denial expires the call may be asked again',
        );
        assert.deepEqual(await store.decide('apr_missing', 'approve', 'bob'), {
          ok: false,
          reason: 'not-found',
        });
        assert.deepEqual(
          (await store.list()).map((r) => r.status),
          ['pending', 'denied', 'expired', 'expired'],
          'newest first, expiry applied (a denial keeps its status)',
        );
      } finally {
        await close();
      }
    });

    it('spends an approval once across two replicas, and keeps what an approver sees', async () => {
      const { a, b, close } = await backend.approvals();
      const call = newCall();
      try {
        const queued = await a.request(call);
        assert.equal(queued.kind === 'pending' && queued.created, true);
        assert.deepEqual((await b.get(queued.request.id))?.arguments, { target: 'db' });
        assert.equal((await b.request(call)).kind, 'pending', 'the same call finds the same request');
        assert.equal((await b.decide(queued.request.id, 'approve', 'bob')).ok, true);
        const kinds = [(await a.request(call)).kind, (await b.request(call)).kind];
        assert.deepEqual(kinds, ['approved', 'pending']);
        const used = await b.usedApproval(call.fingerprint, call.policyVersion);
        assert.equal(used?.id, queued.request.id);
        assert.equal(used?.decidedBy, 'bob');
        assert.equal(await a.usedApproval(call.fingerprint, 'v-2'), undefined, 'bound to the policy version');
      } finally {
        await close();
      }
    });

    it('two concurrent requests for one approved call spend it once (and queue one request for a new call)', async () => {
      const { a, b, close } = await backend.approvals();
      try {
        for (let round = 0; round < 5; round++) {
          const call = newCall();
          const queued = await Promise.all([
            a.request(call),
            b.request(call),
            a.request(call),
            b.request(call),
          ]);
          const ids = new Set(queued.map((answer) => answer.request.id));
          assert.equal(ids.size, 1, 'one request, however many asked at once');
          assert.equal(queued.filter((answer) => answer.kind === 'pending' && answer.created).length, 1);
          assert.equal((await a.decide([...ids][0] as string, 'approve', 'bob')).ok, true);
          const spent = await Promise.all([
            a.request(call),
            b.request(call),
            a.request(call),
            b.request(call),
          ]);
          assert.equal(spent.filter((answer) => answer.kind === 'approved').length, 1, `round ${round}`);
        }
      } finally {
        await close();
      }
    });

    it('spends an in-band answer and a round once, whichever replica sees it', async () => {
      const { a, b, close } = await backend.approvals();
      const call = newCall();
      try {
        const first = await a.recordInBand('apr_inband1', call, 'alice (in-band)');
        assert.equal(first.ok, true);
        assert.equal(first.request.status, 'used');
        const replay = await b.recordInBand('apr_inband1', call, 'alice (in-band)');
        assert.equal(replay.ok, false);
        assert.equal(replay.request.decidedAt, first.request.decidedAt);
        const rounds = await Promise.all([
          a.spendRound('round-1', call.fingerprint),
          b.spendRound('round-1', call.fingerprint),
        ]);
        assert.deepEqual(rounds.toSorted(), [false, true]);
        assert.equal(await a.spendRound('round-1', call.fingerprint), false);
        assert.equal(await b.spendRound('round-2', call.fingerprint), true);
      } finally {
        await close();
      }
    });

    it('releases a call waiting on one replica when another decides it', async () => {
      const { a, b, close } = await backend.approvals();
      const call = newCall();
      try {
        const queued = await a.request(call);
        const started = Date.now();
        const waiting = a.waitForDecision(queued.request.id, 10_000);
        setTimeout(() => void b.decide(queued.request.id, 'approve', 'bob'), 300);
        const decided = await waiting;
        assert.equal(decided?.status, 'approved');
        assert.ok(Date.now() - started < 2_000, `released after ${Date.now() - started} ms`);
        const aborted = new AbortController();
        const other = await a.request(newCall());
        setTimeout(() => aborted.abort(), 100);
        assert.equal((await a.waitForDecision(other.request.id, 10_000, aborted.signal))?.status, 'pending');
      } finally {
        await close();
      }
    });
  });
}

describe('the pending-approvals gauge', () => {
  it('never holds a scrape longer than its wait: a slow count is reported at the next scrape', async () => {
    let answer: (n: number) => void = () => {};
    let asked = 0;
    const slowStore = {
      countPending: () => {
        asked += 1;
        return new Promise<number>((resolve) => {
          answer = resolve;
        });
      },
    } as unknown as ApprovalStore;
    const read = pendingCountReader(() => slowStore, 50);
    const started = Date.now();
    assert.equal(await read(), 0, 'nothing counted yet');
    assert.ok(Date.now() - started < 1_000);
    assert.equal(await read(), 0, 'still counting: the last value');
    assert.equal(asked, 1, 'one count in flight at a time');
    answer(3);
    await new Promise((r) => setImmediate(r));
    assert.equal(await read(), 3, 'the slow count, at the next scrape (while a new count hangs)');
    assert.equal(asked, 2);
    answer(4);
    await new Promise((r) => setImmediate(r));
    const next = read();
    answer(5);
    assert.equal(await next, 5, 'a count that answers in time is reported at once');
    assert.equal(asked, 3);
  });
});
