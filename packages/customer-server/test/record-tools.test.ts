/**
 * The per-system record tools against the sandbox: get_deal returns the deal as HubSpot has it
 * (every non-empty property), list_tickets and get_invoices return exactly the customer's
 * conversations and invoices with their state / status filters, and bad or unknown input gets a
 * clear tool error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestClient, testClient } from '@gatehouse/kit/testing';
import type { RunningSandbox } from '@gatehouse/sandbox';
import { customerSandbox, type Json, raw, serverFor, world } from './helpers.ts';

describe('record tools', () => {
  let sandbox: RunningSandbox;
  let t: TestClient;
  before(async () => {
    sandbox = await customerSandbox();
    t = await testClient(serverFor(sandbox));
  });
  after(async () => {
    await t.close();
    await sandbox.close();
  });
  const w = world();
  const company = w.companies.find((c) => c.scenario === 'at-risk' && c.contactIds.length >= 2);
  assert.ok(company);

  it('get_deal: every non-empty HubSpot property, and the associations', async () => {
    const deal = w.deals.find((d) => d.companyId === company.id && d.kind === 'renewal');
    assert.ok(deal);
    const answer = await t.call('get_deal', { dealId: deal.id });
    assert.equal(answer.isError, false, answer.text);
    const got = (answer.structured as Json).deal;
    const names = (await raw(sandbox, '/hubspot/crm/v3/properties/deals')).results.map((p: Json) => p.name);
    const direct = await raw(
      sandbox,
      `/hubspot/crm/v3/objects/deals/${deal.id}?properties=${names.join(',')}`,
    );
    const nonEmpty = Object.fromEntries(
      Object.entries(direct.properties).filter(([, v]) => v !== null && v !== ''),
    );
    assert.deepEqual(got.properties, nonEmpty);
    assert.ok(Object.keys(got.properties).length >= 40);
    assert.deepEqual(
      got.associations.companies.results.map((r: Json) => r.id),
      [company.id],
    );
    assert.equal(got.archived, false, 'false flags are kept, only empty values dropped');
  });

  it('get_deal: unknown and malformed ids', async () => {
    const unknown = await t.call('get_deal', { dealId: '123' });
    assert.equal(unknown.errorCode, 'not_found');
    assert.match(unknown.text, /No HubSpot deal has id 123/);
    const malformed = await t.call('get_deal', { dealId: 'DROP TABLE' });
    assert.equal(malformed.isError, true);
  });

  it("list_tickets: a company's conversations, all or by state; one contact's by email", async () => {
    const mine = w.conversations.filter((c) => c.companyId === company.id);
    const all = await t.call('list_tickets', { company: company.name });
    assert.equal(all.isError, false, all.text);
    const ids = (s: Json) => s.tickets.map((x: Json) => x.id).sort();
    assert.deepEqual(ids(all.structured as Json), mine.map((c) => c.id).sort());
    assert.equal((all.structured as Json).totalCount, mine.length);
    const unresolved = await t.call('list_tickets', { company: company.domain, state: 'unresolved' });
    assert.deepEqual(
      ids(unresolved.structured as Json),
      mine
        .filter((c) => c.state !== 'closed')
        .map((c) => c.id)
        .sort(),
    );
    const first = (unresolved.structured as Json).tickets[0];
    assert.equal(first.type, 'conversation');
    assert.ok(first.statistics && first.source && first.contacts, 'Intercom fields are kept');
    const person = w.contacts.find((c) => c.id === mine[0]?.contactIds[0]);
    assert.ok(person);
    const theirs = await t.call('list_tickets', { contactEmail: person.email, state: 'any' });
    assert.deepEqual(
      ids(theirs.structured as Json),
      mine
        .filter((c) => c.contactIds.includes(person.id))
        .map((c) => c.id)
        .sort(),
    );
  });

  it('list_tickets: needs exactly one of company or contactEmail; unknown email', async () => {
    assert.equal((await t.call('list_tickets', {})).errorCode, 'invalid_arguments');
    assert.equal(
      (await t.call('list_tickets', { company: company.name, contactEmail: 'a@b.co' })).errorCode,
      'invalid_arguments',
    );
    assert.equal(
      (await t.call('list_tickets', { contactEmail: 'nobody@nowhere.example' })).errorCode,
      'not_found',
    );
    assert.equal((await t.call('list_tickets', { contactEmail: 'not-an-email' })).isError, true);
    assert.equal(
      (await t.call('list_tickets', { company: 'Acme Rocket Skates' })).errorCode,
      'customer_not_found',
    );
  });

  it("get_invoices: the customer's invoices with ChargeOver's fields, filtered by status", async () => {
    const billing = w.billingCustomers.find((b) =>
      w.invoices.some((i) => i.customerId === b.id && i.status === 'overdue'),
    );
    assert.ok(billing);
    const name = w.companies.find((c) => c.id === billing.companyId)?.name ?? '';
    const theirs = w.invoices.filter((i) => i.customerId === billing.id);
    const all = await t.call('get_invoices', { company: name });
    assert.equal(all.isError, false, all.text);
    const s = all.structured as Json;
    assert.deepEqual(s.customer, { id: billing.id, name });
    assert.deepEqual(s.invoices.map((i: Json) => i.invoice_id).sort(), theirs.map((i) => i.id).sort());
    assert.ok(s.invoices[0].line_items.length > 0);
    const dates = s.invoices.map((i: Json) => i.date);
    assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');
    for (const status of ['overdue', 'paid', 'open'] as const) {
      const answer = await t.call('get_invoices', { company: billing.companyId, status });
      const want = theirs.filter((i) =>
        status === 'open' ? i.status === 'overdue' || i.status === 'unpaid' : i.status === status,
      );
      assert.deepEqual(
        (answer.structured as Json).invoices.map((i: Json) => i.invoice_id).sort(),
        want.map((i) => i.id).sort(),
        status,
      );
    }
    assert.equal(
      (await t.call('get_invoices', { company: 'Acme Rocket Skates' })).errorCode,
      'customer_not_found',
    );
    assert.equal((await t.call('get_invoices', { company: name, status: 'lost' })).isError, true);
  });
});
