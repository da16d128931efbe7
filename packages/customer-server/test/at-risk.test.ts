/**
 * find_at_risk_renewals against the sandbox: the answer is exactly the set computed from the
 * seeded world (open renewals of the tier closing in the quarter with at least N open or snoozed
 * conversations), field by field; other tiers, thresholds and quarters too; it uses searches and
 * batch reads (a bounded number of requests, no full listings); bad input and a support outage get
 * clear tool errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testClient } from '@gatehouse/kit/testing';
import type { RunningSandbox } from '@gatehouse/sandbox';
import {
  customerSandbox,
  type ExpectedRenewal,
  expectedAtRisk,
  type Json,
  serverFor,
  world,
} from './helpers.ts';

function quarter(offset: number) {
  const today = world().today;
  const q = Math.floor(today.getUTCMonth() / 3) + offset;
  return {
    start: new Date(Date.UTC(today.getUTCFullYear(), q * 3, 1)),
    end: new Date(Date.UTC(today.getUTCFullYear(), q * 3 + 3, 1)),
  };
}

function assertSameSet(actual: Json[], expected: ExpectedRenewal[]): void {
  const byDeal = new Map(actual.map((r) => [r.dealId, r]));
  assert.deepEqual([...byDeal.keys()].sort(), expected.map((e) => e.dealId).sort());
  for (const e of expected) {
    const row = byDeal.get(e.dealId);
    assert.ok(row);
    assert.equal(row.companyId, e.companyId);
    assert.equal(row.company, e.company);
    assert.equal(row.amount, e.amount);
    assert.equal(row.closeDate, e.closeDate);
    assert.equal(row.owner, e.owner);
    assert.equal(row.unresolvedTickets, e.unresolved);
    // The reasons are the unresolved tickets' subjects (at most five of them).
    assert.equal(row.why.length, Math.min(5, e.subjects.length));
    for (const subject of row.why) assert.ok(e.subjects.includes(subject), subject);
  }
}

describe('find_at_risk_renewals', () => {
  let sandbox: RunningSandbox;
  before(async () => {
    sandbox = await customerSandbox();
  });
  after(() => sandbox.close());

  it('defaults: enterprise renewals closing this quarter with more than one unresolved ticket', async () => {
    const requests: string[] = [];
    const recording: typeof fetch = (input, init) => {
      requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    };
    const t = await testClient(serverFor(sandbox, { fetch: recording }));
    try {
      const answer = await t.call('find_at_risk_renewals', {});
      assert.equal(answer.isError, false, answer.text);
      const s = answer.structured as Json;
      const expected = expectedAtRisk(quarter(0), 'enterprise', 2);
      assert.ok(expected.length >= 3, 'the seeded world has at-risk renewals');
      assertSameSet(s.atRisk, expected);
      assert.equal(s.quarter.label, '2026-Q4');
      assert.deepEqual([s.quarter.from, s.quarter.to], ['2026-10-01', '2026-12-31']);
      assert.equal(s.renewalsConsidered, expectedAtRisk(quarter(0), 'enterprise', 0).length);
      const dates = s.atRisk.map((r: Json) => r.closeDate);
      assert.deepEqual(dates, [...dates].sort(), 'soonest first');
      assert.match(
        answer.text,
        new RegExp(`^${expected.length} of ${s.renewalsConsidered} open enterprise renewals`),
      );
      // Searches and batch reads only: no listing of every deal, company or conversation.
      assert.ok(requests.length <= 12, `${requests.length} requests: ${requests.join(', ')}`);
      assert.ok(
        !requests.some((r) => /^GET .*\/(crm\/v3\/objects\/\w+|conversations|contacts)$/.test(r)),
        requests.join(', '),
      );
      assert.ok(requests.some((r) => r.endsWith('/crm/v3/objects/deals/search')));
      assert.ok(requests.some((r) => r.endsWith('/conversations/search')));
    } finally {
      await t.close();
    }
  });

  it('other tiers, thresholds and quarters give their own exact sets', async () => {
    const t = await testClient(serverFor(sandbox));
    try {
      const cases = [
        {
          args: { tier: 'any', minUnresolvedTickets: 1 },
          expected: expectedAtRisk(quarter(0), undefined, 1),
        },
        { args: { tier: 'mid-market' }, expected: expectedAtRisk(quarter(0), 'mid-market', 2) },
        { args: { quarter: 'next' }, expected: expectedAtRisk(quarter(1), 'enterprise', 2) },
        {
          args: { quarter: '2027-Q1', minUnresolvedTickets: 3 },
          expected: expectedAtRisk(quarter(1), 'enterprise', 3),
        },
      ];
      for (const { args, expected } of cases) {
        const answer = await t.call('find_at_risk_renewals', args);
        assert.equal(answer.isError, false, answer.text);
        assert.ok(expected.length > 0, JSON.stringify(args));
        assertSameSet((answer.structured as Json).atRisk, expected);
      }
      const won = world()
        .companies.filter((c) => c.scenario === 'won')
        .map((c) => c.id);
      const all = await t.call('find_at_risk_renewals', { minUnresolvedTickets: 1 });
      const ids = new Set((all.structured as Json).atRisk.map((r: Json) => r.companyId));
      assert.ok(
        won.every((id) => !ids.has(id)),
        'renewals already won are not at risk',
      );
    } finally {
      await t.close();
    }
  });

  it('rejects a bad quarter or threshold and keeps serving', async () => {
    const t = await testClient(serverFor(sandbox));
    try {
      const bad = await t.call('find_at_risk_renewals', { quarter: 'Q5' });
      assert.equal(bad.errorCode, 'invalid_quarter');
      assert.match(bad.text, /YYYY-Qn/);
      const zero = await t.call('find_at_risk_renewals', { minUnresolvedTickets: 0 });
      assert.equal(zero.isError, true);
      const tier = await t.call('find_at_risk_renewals', { tier: 'galactic' });
      assert.equal(tier.isError, true);
      assert.equal((await t.call('find_at_risk_renewals', {})).isError, false);
    } finally {
      await t.close();
    }
  });

  it('a support outage is a clear unavailable error, not a wrong answer', async () => {
    sandbox.faults.set('intercom', { outage: true });
    const t = await testClient(serverFor(sandbox));
    try {
      const answer = await t.call('find_at_risk_renewals', {});
      assert.equal(answer.isError, true);
      assert.equal(answer.errorCode, 'unavailable');
      assert.match(answer.text, /Intercom is unavailable/);
    } finally {
      await t.close();
      sandbox.faults.reset();
    }
  });
});
