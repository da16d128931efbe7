/**
 * get_customer_profile against the sandbox: every field agrees with what the raw HubSpot,
 * Intercom and ChargeOver APIs say about the same customer (read here with the test's own
 * requests); name, domain and id find the same customer; unknown and ambiguous names get clear
 * tool errors; and one system failing (outage, errors, slowness) gives a partial profile that
 * says which section is unavailable.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testClient } from '@gatehouse/kit/testing';
import type { RunningSandbox } from '@gatehouse/sandbox';
import { customerSandbox, type Json, raw, serverFor, TODAY, world } from './helpers.ts';

const DAY = 86_400_000;

/** What the raw APIs say about a company, gathered and reduced by the test itself. */
async function truth(sandbox: RunningSandbox, companyId: string) {
  const company = await raw(
    sandbox,
    `/hubspot/crm/v3/objects/companies/${companyId}?properties=name,domain,customer_tier,hubspot_owner_id&associations=deals,contacts`,
  );
  const dealIds: string[] = company.associations?.deals?.results.map((r: Json) => r.id) ?? [];
  const deals = await Promise.all(
    dealIds.map((id) =>
      raw(
        sandbox,
        `/hubspot/crm/v3/objects/deals/${id}?properties=dealname,amount,closedate,dealstage,deal_currency_code,deal_motion`,
      ),
    ),
  );
  const owner = await raw(sandbox, `/hubspot/crm/v3/owners/${company.properties.hubspot_owner_id}`);
  const stages = new Map(
    (await raw(sandbox, '/hubspot/crm/v3/pipelines/deals')).results[0].stages.map((s: Json) => [
      s.id,
      s.label,
    ]),
  );
  const contactIds = company.associations.contacts.results.map((r: Json) => r.id);
  const people = await raw(sandbox, '/intercom/contacts/search', {
    query: { field: 'external_id', operator: 'IN', value: contactIds },
    pagination: { per_page: 150 },
  });
  const conversations = await raw(sandbox, '/intercom/conversations/search', {
    query: { field: 'contact_ids', operator: 'IN', value: people.data.map((p: Json) => p.id) },
    pagination: { per_page: 150 },
  });
  const customer = (await raw(sandbox, `/chargeover/api/v3/customer?where=external_key:EQUALS:${companyId}`))
    .details[0];
  const invoices = (
    await raw(
      sandbox,
      `/chargeover/api/v3/invoice?where=customer_id:EQUALS:${customer.customer_id}&limit=500`,
    )
  ).details;
  const transactions = (
    await raw(
      sandbox,
      `/chargeover/api/v3/transaction?where=customer_id:EQUALS:${customer.customer_id}&limit=500`,
    )
  ).details;
  return {
    company,
    deals,
    owner,
    stages,
    conversations: conversations.conversations as Json[],
    customer,
    invoices,
    transactions,
  };
}

function checkAgainstTruth(profile: Json, t: Awaited<ReturnType<typeof truth>>): void {
  assert.deepEqual(profile.customer, {
    name: t.company.properties.name,
    crmId: t.company.id,
    domain: t.company.properties.domain,
    tier: t.company.properties.customer_tier,
  });
  assert.equal(profile.crm.owner, `${t.owner.firstName} ${t.owner.lastName}`);
  const closed = (d: Json) =>
    d.properties.dealstage === 'closedwon' || d.properties.dealstage === 'closedlost';
  const time = (d: Json) => Date.parse(d.properties.closedate);
  const open = t.deals.filter((d) => !closed(d)).sort((a, b) => time(a) - time(b));
  const current = open[0] ?? [...t.deals].sort((a, b) => time(b) - time(a))[0];
  assert.ok(current);
  assert.deepEqual(profile.crm.currentDeal, {
    id: current.id,
    name: current.properties.dealname,
    type: current.properties.deal_motion,
    stage: t.stages.get(current.properties.dealstage),
    closeDate: current.properties.closedate.slice(0, 10),
    amount: Number(current.properties.amount),
    currency: current.properties.deal_currency_code,
  });
  assert.equal(profile.crm.openDeals, open.length);

  const unresolved = t.conversations.filter((c) => c.state !== 'closed');
  assert.equal(profile.support.openTickets, unresolved.length);
  assert.equal(profile.support.recentTickets.length, Math.min(3, t.conversations.length));
  const byId = new Map(t.conversations.map((c) => [c.id, c]));
  for (const [i, ticket] of profile.support.recentTickets.entries()) {
    const c = byId.get(ticket.id);
    assert.ok(c, `ticket ${ticket.id} is the customer's`);
    assert.equal(ticket.subject, c.title);
    assert.equal(ticket.state, c.state);
    assert.equal(ticket.priority, c.priority === 'priority');
    const createdDay = Math.floor((c.created_at * 1000) / DAY) * DAY;
    assert.equal(ticket.ageDays, Math.round((Date.parse(`${TODAY}T00:00:00Z`) - createdDay) / DAY));
    if (i < unresolved.length) assert.notEqual(ticket.state, 'closed', 'unresolved tickets come first');
  }

  const payments = t.transactions
    .filter((x: Json) => x.transaction_type === 'pay')
    .sort((a: Json, b: Json) => (a.transaction_datetime < b.transaction_datetime ? 1 : -1));
  const last = payments[0];
  assert.deepEqual(
    profile.billing.lastPayment,
    last
      ? {
          status: last.transaction_status_name === 'Success' ? 'succeeded' : 'failed',
          date: last.transaction_date,
          amount: last.amount,
        }
      : null,
  );
  const overdue = t.invoices.filter((i: Json) => i.invoice_status_name === 'Overdue');
  const owed = overdue.reduce((sum: number, i: Json) => sum + i.balance, 0);
  assert.equal(profile.billing.overdueInvoices, overdue.length);
  assert.ok(Math.abs(profile.billing.overdueBalance - owed) < 0.005);
  assert.equal(profile.billing.currency, t.customer.currency_iso4217);
}

describe('get_customer_profile', () => {
  let sandbox: RunningSandbox;
  before(async () => {
    sandbox = await customerSandbox();
  });
  after(() => sandbox.close());

  const w = world();
  const pick = (what: string, ok: (companyId: string) => boolean) => {
    const found = w.companies.find((c) => ok(c.id));
    assert.ok(found, what);
    return found;
  };
  const overdueCustomers = new Set(w.invoices.filter((i) => i.status === 'overdue').map((i) => i.customerId));
  const samples = [
    pick('an at-risk enterprise', (id) => w.companies.find((c) => c.id === id)?.scenario === 'at-risk'),
    pick('a renewal already won', (id) => w.companies.find((c) => c.id === id)?.scenario === 'won'),
    pick('overdue invoices', (id) =>
      overdueCustomers.has(w.billingCustomers.find((b) => b.companyId === id)?.id ?? -1),
    ),
    pick('a small customer', (id) => w.companies.find((c) => c.id === id)?.tier === 'smb'),
    pick('a last payment that failed', (id) => {
      const b = w.billingCustomers.find((x) => x.companyId === id);
      const last = w.transactions
        .filter((t) => t.customerId === b?.id)
        .sort((x, y) => y.date.getTime() - x.date.getTime())[0];
      return last?.status === 'failed';
    }),
  ];

  it('agrees field by field with the raw CRM, support and billing APIs', async () => {
    const t = await testClient(serverFor(sandbox));
    try {
      for (const company of samples) {
        const answer = await t.call('get_customer_profile', { customer: company.name });
        assert.equal(answer.isError, false, answer.text);
        assert.ok(answer.structured);
        checkAgainstTruth(answer.structured, await truth(sandbox, company.id));
        assert.match(answer.text, new RegExp(company.name));
      }
    } finally {
      await t.close();
    }
  });

  it('finds the same customer by name, domain, URL and id', async () => {
    const company = samples[0];
    assert.ok(company);
    const t = await testClient(serverFor(sandbox));
    try {
      const answers = [];
      for (const customer of [
        company.name.toUpperCase(),
        company.domain,
        `https://www.${company.domain}/about`,
        company.id,
      ]) {
        const answer = await t.call('get_customer_profile', { customer });
        assert.equal(answer.isError, false, answer.text);
        answers.push(answer.structured);
      }
      for (const answer of answers.slice(1)) assert.deepEqual(answer, answers[0]);
    } finally {
      await t.close();
    }
  });

  it('answers unknown, ambiguous and empty customers with errors a model can act on', async () => {
    const t = await testClient(serverFor(sandbox));
    try {
      const unknown = await t.call('get_customer_profile', { customer: 'Acme Rocket Skates' });
      assert.equal(unknown.isError, true);
      assert.equal(unknown.errorCode, 'customer_not_found');
      assert.match(unknown.text, /Acme Rocket Skates/);
      for (const customer of ['999999', 'nosuchshop.example']) {
        const missing = await t.call('get_customer_profile', { customer });
        assert.equal(missing.errorCode, 'customer_not_found', customer);
      }
      const stem = w.companies[0]?.name.split(' ')[0] ?? '';
      const ambiguous = await t.call('get_customer_profile', { customer: stem });
      assert.equal(ambiguous.errorCode, 'ambiguous_customer');
      assert.match(ambiguous.text, /id \d+/);
      const empty = await t.call('get_customer_profile', { customer: '' });
      assert.equal(empty.isError, true);
      const blank = await t.call('get_customer_profile', { customer: '   ' });
      assert.equal(blank.errorCode, 'invalid_customer');
      const after = await t.call('get_customer_profile', { customer: samples[0]?.id ?? '' });
      assert.equal(after.isError, false, 'the server keeps serving');
    } finally {
      await t.close();
    }
  });
});

describe('get_customer_profile when a system fails', () => {
  let sandbox: RunningSandbox;
  before(async () => {
    sandbox = await customerSandbox();
  });
  after(() => sandbox.close());
  const company = world().companies.find((c) => c.scenario === 'at-risk');
  assert.ok(company);

  async function profileWith(faults: () => void, timeoutMs?: number): Promise<Json> {
    sandbox.faults.reset();
    faults();
    // A fresh server each time: its breakers start closed.
    const t = await testClient(serverFor(sandbox, timeoutMs === undefined ? {} : { timeoutMs }));
    try {
      const answer = await t.call('get_customer_profile', { customer: company?.name ?? '' });
      assert.equal(answer.isError, false, answer.text);
      return { ...answer.structured, text: answer.text };
    } finally {
      await t.close();
      sandbox.faults.reset();
    }
  }

  it('billing outage: the profile says billing is unavailable and keeps CRM and support', async () => {
    const p = await profileWith(() => sandbox.faults.set('chargeover', { outage: true }));
    assert.match(p.billing.unavailable, /^ChargeOver is unavailable/);
    assert.ok(p.crm.currentDeal);
    assert.ok(p.support.openTickets >= 2);
    assert.match(p.text, /Billing: unavailable/);
  });

  it('support errors (every request a 5xx): support unavailable, the rest answered', async () => {
    const p = await profileWith(() => sandbox.faults.set('intercom', { errorRate: 1 }));
    assert.match(p.support.unavailable, /Intercom/);
    assert.ok(p.crm.owner);
    assert.ok('overdueBalance' in p.billing);
  });

  it('slow billing: the call gives up after the timeout and answers without it', async () => {
    // Generous numbers: the other systems share the timeout and must answer within it on a busy machine.
    const p = await profileWith(() => sandbox.faults.set('chargeover', { latencyMs: 8_000 }), 1_000);
    assert.match(p.billing.unavailable, /ChargeOver is unavailable: no answer within 1000 ms/);
    assert.ok(p.crm.currentDeal);
  });

  it('CRM outage: billing identifies the customer; support is found by email domain', async () => {
    const p = await profileWith(() => sandbox.faults.set('hubspot', { outage: true }));
    assert.match(p.crm.unavailable, /^HubSpot is unavailable/);
    assert.equal(p.customer.name, company.name);
    assert.equal(p.customer.crmId, company.id);
    assert.ok(p.support.openTickets >= 2);
    assert.ok(p.billing.lastPayment);
  });

  it('CRM and billing both down: a clear unavailable error', async () => {
    sandbox.faults.set('hubspot', { outage: true });
    sandbox.faults.set('chargeover', { outage: true });
    const t = await testClient(serverFor(sandbox));
    try {
      const answer = await t.call('get_customer_profile', { customer: company.name });
      assert.equal(answer.isError, true);
      assert.equal(answer.errorCode, 'unavailable');
      assert.match(answer.text, /HubSpot is unavailable/);
    } finally {
      await t.close();
      sandbox.faults.reset();
    }
  });
});
