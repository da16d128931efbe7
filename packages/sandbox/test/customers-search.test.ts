/**
 * Search in the customer sandboxes, checked against the seeded world itself: HubSpot CRM search
 * (filterGroups with each operator, OR across groups, sorts, `after` paging, HubSpot's limits and
 * validation errors), Intercom's search query language (groups, IN, comparisons, cursor paging,
 * nesting limit) and ChargeOver `where` / `order` clauses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { customerWorld } from '../src/seed/customers.ts';
import { call, customerSandbox, type Json, NOW, SEED } from './customers-fixture.ts';

const sandbox = customerSandbox();
const world = customerWorld(SEED, NOW);
const tierOf = new Map(world.companies.map((c) => [c.id, c.tier]));

async function searchDeals(body: Json) {
  return call(sandbox, '/hubspot/crm/v3/objects/deals/search', body);
}

async function searchAllDeals(filterGroups: Json[], extra: Json = {}): Promise<Json[]> {
  const out: Json[] = [];
  let after: string | undefined;
  do {
    const page = await searchDeals({ filterGroups, limit: 50, ...extra, ...(after ? { after } : {}) });
    assert.equal(page.status, 200, JSON.stringify(page.body));
    out.push(...page.body.results);
    after = page.body.paging?.next?.after;
  } while (after);
  return out;
}

const ids = (records: ({ id: string } | Json)[]) => records.map((r) => String(r.id)).sort();

describe('HubSpot CRM search', () => {
  const { start, end } = world.quarter;

  it('AND within a group: open enterprise renewals closing this quarter (EQ, BETWEEN, NOT_IN)', async () => {
    const found = await searchAllDeals([
      {
        filters: [
          { propertyName: 'deal_motion', operator: 'EQ', value: 'renewal' },
          { propertyName: 'customer_tier', operator: 'EQ', value: 'enterprise' },
          {
            propertyName: 'closedate',
            operator: 'BETWEEN',
            value: String(start.getTime()),
            highValue: String(end.getTime() - 1),
          },
          { propertyName: 'dealstage', operator: 'NOT_IN', values: ['closedwon', 'closedlost'] },
        ],
      },
    ]);
    const expected = world.deals.filter(
      (d) =>
        d.kind === 'renewal' &&
        tierOf.get(d.companyId) === 'enterprise' &&
        d.closeDate >= start &&
        d.closeDate < end &&
        d.stage !== 'closedwon' &&
        d.stage !== 'closedlost',
    );
    assert.ok(expected.length > 5);
    assert.deepEqual(ids(found), ids(expected));
  });

  it('OR across groups, IN, GT/LT on numbers, ISO dates and HAS_PROPERTY', async () => {
    const found = await searchAllDeals([
      { filters: [{ propertyName: 'dealstage', operator: 'IN', values: ['contractsent'] }] },
      {
        filters: [
          { propertyName: 'amount', operator: 'GT', value: '200000' },
          { propertyName: 'closedate', operator: 'LT', value: NOW.toISOString() },
        ],
      },
    ]);
    const expected = world.deals.filter(
      (d) => d.stage === 'contractsent' || (d.amount > 200_000 && d.closeDate < NOW),
    );
    assert.deepEqual(ids(found), ids(expected));
    const lost = await searchAllDeals([
      { filters: [{ propertyName: 'closed_lost_reason', operator: 'HAS_PROPERTY' }] },
    ]);
    assert.deepEqual(ids(lost), ids(world.deals.filter((d) => d.stage === 'closedlost')));
  });

  it('CONTAINS_TOKEN (with a wildcard) and EQ on companies and contacts', async () => {
    const company = world.companies[7];
    assert.ok(company);
    const byDomain = await call(sandbox, '/hubspot/crm/v3/objects/companies/search', {
      filterGroups: [
        { filters: [{ propertyName: 'domain', operator: 'EQ', value: company.domain.toUpperCase() }] },
      ],
      properties: ['name', 'customer_tier'],
    });
    assert.deepEqual(
      byDomain.body.results.map((r: Json) => r.properties.name),
      [company.name],
    );
    assert.equal(byDomain.body.results[0].properties.customer_tier, company.tier);
    const people = await call(sandbox, '/hubspot/crm/v3/objects/contacts/search', {
      filterGroups: [
        { filters: [{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: `*@${company.domain}` }] },
      ],
      limit: 100,
    });
    assert.deepEqual(ids(people.body.results), [...company.contactIds].sort());
    const token = company.name.split(' ').at(-1)?.replace('.', '') ?? '';
    const named = await call(sandbox, '/hubspot/crm/v3/objects/companies/search', {
      filterGroups: [{ filters: [{ propertyName: 'name', operator: 'CONTAINS_TOKEN', value: token }] }],
      limit: 200,
    });
    assert.ok(named.body.results.some((r: Json) => r.id === company.id));
  });

  it('sorts, limit and after page through search results in order', async () => {
    const filterGroups = [
      { filters: [{ propertyName: 'customer_tier', operator: 'EQ', value: 'enterprise' }] },
    ];
    const sorts = [{ propertyName: 'amount', direction: 'DESCENDING' }];
    const all = await searchAllDeals(filterGroups, { sorts, properties: ['amount'] });
    const amounts = all.map((d) => Number(d.properties.amount));
    assert.deepEqual(
      amounts,
      [...amounts].sort((a, b) => b - a),
    );
    assert.equal(all.length, world.deals.filter((d) => tierOf.get(d.companyId) === 'enterprise').length);
    const first = await searchDeals({ filterGroups, sorts, limit: 3 });
    assert.equal(first.body.total, all.length);
    assert.deepEqual(ids(first.body.results), ids(all.slice(0, 3)));
  });

  it('rejects what HubSpot rejects, in its error shape', async () => {
    const filter = { propertyName: 'amount', operator: 'GT', value: '1' };
    const cases: Json[] = [
      { filterGroups: [{ filters: Array.from({ length: 7 }, () => filter) }] },
      { filterGroups: Array.from({ length: 6 }, () => ({ filters: [filter] })) },
      { filterGroups: [{ filters: [{ ...filter, propertyName: 'no_such_property' }] }] },
      { filterGroups: [{ filters: [{ ...filter, operator: 'LIKE' }] }] },
      { filterGroups: [{ filters: [{ propertyName: 'amount', operator: 'BETWEEN', value: '1' }] }] },
      { limit: 500 },
    ];
    for (const body of cases) {
      const answer = await searchDeals(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.status, 'error');
      assert.equal(answer.body.category, 'VALIDATION_ERROR');
    }
    const notJson = await sandbox.app.request('/hubspot/crm/v3/objects/deals/search', {
      method: 'POST',
      headers: { authorization: 'Bearer sandbox-token' },
      body: '{',
    });
    assert.equal(notJson.status, 400);
  });
});

describe('Intercom search', () => {
  const company = world.companies.find(
    (c) => world.conversations.filter((v) => v.companyId === c.id).length >= 3,
  );
  assert.ok(company);
  const people = world.contacts.filter((c) => c.companyId === company.id);

  it("AND of contact_ids IN and state IN finds the company's unresolved conversations", async () => {
    const found = await call(sandbox, '/intercom/conversations/search', {
      query: {
        operator: 'AND',
        value: [
          { field: 'contact_ids', operator: 'IN', value: people.map((p) => p.intercomId) },
          { field: 'state', operator: 'IN', value: ['open', 'snoozed'] },
        ],
      },
    });
    const expected = world.conversations.filter((v) => v.companyId === company.id && v.state !== 'closed');
    assert.deepEqual(found.body.conversations.map((c: Json) => c.id).sort(), ids(expected));
    assert.equal(found.body.type, 'conversation.list');
    assert.ok(
      found.body.conversations.every((c: Json) => c.conversation_parts === undefined),
      'search omits parts',
    );
  });

  it('comparisons on timestamps, OR groups, sort and cursor paging', async () => {
    const since = Math.floor(NOW.getTime() / 1000) - 30 * 86_400;
    const query = {
      operator: 'OR',
      value: [
        { field: 'created_at', operator: '>', value: since },
        { field: 'priority', operator: '=', value: 'priority' },
      ],
    };
    const seen: Json[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(sandbox, '/intercom/conversations/search', {
        query,
        pagination: { per_page: 50, ...(cursor ? { starting_after: cursor } : {}) },
        sort: { field: 'created_at', order: 'ascending' },
      });
      seen.push(...page.body.conversations);
      cursor = page.body.pages.next?.starting_after;
    } while (cursor);
    const expected = world.conversations.filter((v) => v.createdAt.getTime() / 1000 > since || v.priority);
    assert.deepEqual(seen.map((c) => c.id).sort(), ids(expected));
    const created = seen.map((c) => c.created_at as number);
    assert.deepEqual(
      created,
      [...created].sort((a, b) => a - b),
    );
  });

  it('contacts search by email suffix and by external_id', async () => {
    const bySuffix = await call(sandbox, '/intercom/contacts/search', {
      query: { field: 'email', operator: '$', value: `@${company.domain}` },
    });
    assert.deepEqual(
      bySuffix.body.data.map((c: Json) => c.external_id).sort(),
      [...company.contactIds].sort(),
    );
    const one = people[0];
    assert.ok(one);
    const byId = await call(sandbox, '/intercom/contacts/search', {
      query: { field: 'external_id', operator: '=', value: one.id },
    });
    assert.equal(byId.body.data[0].id, one.intercomId);
  });

  it('rejects bad operators, too-deep nesting and bad cursors with error.list', async () => {
    const leaf = { field: 'state', operator: '=', value: 'open' };
    const deep = {
      operator: 'AND',
      value: [{ operator: 'OR', value: [{ operator: 'AND', value: [leaf] }] }],
    };
    for (const body of [
      { query: { ...leaf, operator: 'LIKE' } },
      { query: deep },
      { query: leaf, pagination: { per_page: 500 } },
      { query: leaf, pagination: { starting_after: '%%' } },
      {},
    ]) {
      const answer = await call(sandbox, '/intercom/conversations/search', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.type, 'error.list');
      assert.equal(answer.body.errors[0].code, 'parameter_invalid');
    }
  });
});

describe('ChargeOver where and order', () => {
  const customer = world.billingCustomers.find((b) =>
    world.invoices.some((i) => i.customerId === b.id && i.status === 'overdue'),
  );
  assert.ok(customer);

  it('filters by external key, customer and status; orders by date', async () => {
    const found = await call(
      sandbox,
      `/chargeover/api/v3/customer?where=external_key:EQUALS:${customer.companyId}`,
    );
    assert.deepEqual(
      found.body.details.map((c: Json) => c.customer_id),
      [customer.id],
    );
    const overdue = await call(
      sandbox,
      `/chargeover/api/v3/invoice?where=customer_id:EQUALS:${customer.id},invoice_status_str:EQUALS:open-overdue&limit=100`,
    );
    const expected = world.invoices.filter((i) => i.customerId === customer.id && i.status === 'overdue');
    assert.deepEqual(
      overdue.body.details.map((i: Json) => i.invoice_id),
      expected.map((i) => i.id),
    );
    assert.ok(found.body.details[0].past_due > 0);
    const ordered = await call(
      sandbox,
      `/chargeover/api/v3/transaction?where=customer_id:EQUALS:${customer.id}&order=transaction_datetime:DESC&limit=100`,
    );
    const dates = ordered.body.details.map((t: Json) => t.transaction_datetime as string);
    assert.deepEqual(dates, [...dates].sort().reverse());
    assert.ok(ordered.body.details.some((t: Json) => t.transaction_status_str === 'err-decline'));
  });

  it('rejects unknown fields, operators and limits with the ChargeOver error envelope', async () => {
    for (const query of ['where=nope:EQUALS:1', 'where=customer_id:ABOUT:1', 'limit=0', 'order=nope:ASC']) {
      const answer = await call(sandbox, `/chargeover/api/v3/invoice?${query}`);
      assert.equal(answer.status, 400, query);
      assert.deepEqual([answer.body.code, answer.body.status], [400, 'Error']);
    }
  });
});
