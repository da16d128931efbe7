/**
 * The customer sandboxes (HubSpot, Intercom, ChargeOver) through their routes: the three agree
 * with each other (one billing customer per CRM company, every CRM contact in Intercom), the same
 * seed gives the same answers, paging covers every record once, auth and not-found answers come in
 * each service's shape, and the fault knobs break one service while the others keep answering.
 * Search filters are covered in customers-search.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SandboxApp } from '../src/app.ts';
import { customerWorld } from '../src/seed/customers.ts';
import { BASIC, call, customerSandbox, type Json, NOW, SEED } from './customers-fixture.ts';

async function allCompanies(sandbox: SandboxApp, query = ''): Promise<Json[]> {
  const out: Json[] = [];
  let after: string | undefined;
  do {
    const page = await call(
      sandbox,
      `/hubspot/crm/v3/objects/companies?limit=100${after ? `&after=${after}` : ''}${query}`,
    );
    assert.equal(page.status, 200);
    out.push(...page.body.results);
    after = page.body.paging?.next?.after;
  } while (after);
  return out;
}

describe('customer sandboxes agree with each other', () => {
  const sandbox = customerSandbox();

  it('every CRM company has exactly one ChargeOver customer with its name, keyed by the company id', async () => {
    const companies = await allCompanies(sandbox);
    assert.equal(companies.length, 300);
    const billing = await call(sandbox, '/chargeover/api/v3/customer?limit=500', undefined, BASIC);
    assert.equal(billing.body.code, 200);
    assert.equal(billing.body.status, 'OK');
    const byKey = new Map<string, Json[]>();
    for (const customer of billing.body.details)
      byKey.set(customer.external_key, [...(byKey.get(customer.external_key) ?? []), customer]);
    for (const company of companies) {
      const matches = byKey.get(company.id) ?? [];
      assert.equal(matches.length, 1, `one billing customer for ${company.properties.name}`);
      assert.equal(matches[0]?.company, company.properties.name);
    }
    assert.equal(billing.body.details.length, companies.length);
  });

  it("every CRM contact exists in Intercom with the same email and external_id = the contact's CRM id", async () => {
    const companies = await allCompanies(sandbox, '&associations=contacts');
    const contactIds = companies.flatMap((c) =>
      c.associations.contacts.results.map((r: Json) => r.id as string),
    );
    assert.ok(contactIds.length > 600);
    for (let i = 0; i < contactIds.length; i += 100) {
      const ids = contactIds.slice(i, i + 100);
      const crm = await call(sandbox, '/hubspot/crm/v3/objects/contacts/batch/read', {
        inputs: ids.map((id) => ({ id })),
        properties: ['email'],
      });
      const found = await call(sandbox, '/intercom/contacts/search', {
        query: { field: 'external_id', operator: 'IN', value: ids },
        pagination: { per_page: 150 },
      });
      assert.equal(found.body.total_count, ids.length);
      const emailOf = new Map(found.body.data.map((c: Json) => [c.external_id, c.email]));
      for (const contact of crm.body.results) assert.equal(emailOf.get(contact.id), contact.properties.email);
    }
  });

  it("conversations name the company's contacts; invoices and payments belong to known customers", async () => {
    const world = customerWorld(SEED, NOW);
    const one = world.conversations[0];
    assert.ok(one);
    const conv = await call(sandbox, `/intercom/conversations/${one.id}`);
    const intercomIds = new Set(
      world.contacts.filter((c) => c.companyId === one.companyId).map((c) => c.intercomId),
    );
    for (const c of conv.body.contacts.contacts) assert.ok(intercomIds.has(c.id));
    assert.equal(conv.body.conversation_parts.total_count, one.parts.length);
    const customerIds = new Set(world.billingCustomers.map((b) => b.id));
    assert.ok(world.invoices.every((i) => customerIds.has(i.customerId)));
    assert.ok(world.transactions.every((t) => customerIds.has(t.customerId)));
  });

  it('the world holds the scenarios cross-system questions need', () => {
    const world = customerWorld(SEED, NOW);
    const tier = new Map(world.companies.map((c) => [c.id, c.tier]));
    const unresolved = new Map<string, number>();
    for (const c of world.conversations)
      if (c.state !== 'closed') unresolved.set(c.companyId, (unresolved.get(c.companyId) ?? 0) + 1);
    const renewals = world.deals.filter(
      (d) =>
        d.kind === 'renewal' &&
        tier.get(d.companyId) === 'enterprise' &&
        d.closeDate >= world.quarter.start &&
        d.closeDate < world.quarter.end,
    );
    const open = renewals.filter((d) => d.stage !== 'closedwon' && d.stage !== 'closedlost');
    assert.ok(open.filter((d) => (unresolved.get(d.companyId) ?? 0) > 1).length >= 3, 'at-risk renewals');
    assert.ok(
      open.some((d) => unresolved.get(d.companyId) === 1),
      'renewals with exactly one ticket',
    );
    assert.ok(
      renewals.some((d) => d.stage === 'closedwon' && (unresolved.get(d.companyId) ?? 0) > 1),
      'won already',
    );
    assert.ok(world.invoices.some((i) => i.status === 'overdue'));
    assert.ok(world.transactions.some((t) => t.status === 'failed'));
  });
});

describe('determinism', () => {
  it('the same seed and day give identical answers; another seed gives another world', async () => {
    const paths = [
      '/hubspot/crm/v3/objects/deals?limit=50&properties=dealname,amount,closedate,dealstage,hubspot_owner_id',
      '/intercom/conversations?per_page=30',
      '/chargeover/api/v3/invoice?limit=40',
    ];
    const a = customerSandbox();
    const b = customerSandbox(SEED, new Date('2026-11-21T23:59:00Z'));
    const c = customerSandbox(SEED + 1);
    for (const path of paths) {
      const [x, y, z] = await Promise.all([call(a, path), call(b, path), call(c, path)]);
      assert.deepEqual(x.body, y.body, path);
      assert.notDeepEqual(x.body, z.body, path);
    }
    assert.equal(
      customerWorld(SEED, NOW),
      customerWorld(SEED, new Date('2026-11-21T01:00:00Z')),
      'memoized per day',
    );
  });
});

describe('paging', () => {
  const sandbox = customerSandbox();

  it('HubSpot `after` pages every company once', async () => {
    const ids = (await allCompanies(sandbox)).map((c) => c.id);
    assert.equal(new Set(ids).size, 300);
    const bad = await call(sandbox, '/hubspot/crm/v3/objects/companies?limit=1000');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.category, 'VALIDATION_ERROR');
  });

  it('Intercom `starting_after` cursors page every conversation once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(
        sandbox,
        `/intercom/conversations?per_page=150${cursor ? `&starting_after=${cursor}` : ''}`,
      );
      assert.equal(page.body.type, 'conversation.list');
      seen.push(...page.body.conversations.map((c: Json) => c.id));
      cursor = page.body.pages.next?.starting_after;
    } while (cursor);
    assert.equal(seen.length, customerWorld(SEED, NOW).conversations.length);
    assert.equal(new Set(seen).size, seen.length);
    const bad = await call(sandbox, '/intercom/conversations?starting_after=not-a-cursor');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.type, 'error.list');
  });

  it('ChargeOver limit/offset pages every invoice once', async () => {
    const seen: number[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await call(sandbox, `/chargeover/api/v3/invoice?limit=500&offset=${offset}`);
      seen.push(...page.body.details.map((i: Json) => i.invoice_id));
      if (page.body.details.length < 500) break;
    }
    assert.equal(new Set(seen).size, customerWorld(SEED, NOW).invoices.length);
  });
});

describe('object shapes', () => {
  const sandbox = customerSandbox();
  const world = customerWorld(SEED, NOW);
  const deal = world.deals[0];

  it('a HubSpot deal read with every property has 40+ string properties, hs_* system ones included', async () => {
    assert.ok(deal);
    const catalogue = await call(sandbox, '/hubspot/crm/v3/properties/deals');
    const names = catalogue.body.results.map((p: Json) => p.name);
    const full = await call(
      sandbox,
      `/hubspot/crm/v3/objects/deals/${deal.id}?properties=${names.join(',')}&associations=companies`,
    );
    const props = Object.entries(full.body.properties);
    assert.ok(props.length >= 40, `${props.length} properties`);
    assert.ok(props.every(([, v]) => v === null || typeof v === 'string'));
    assert.ok(props.filter(([k]) => k.startsWith('hs_')).length >= 20);
    assert.equal(full.body.properties.amount, String(deal.amount));
    assert.equal(full.body.archived, false);
    assert.deepEqual(full.body.associations.companies.results, [
      { id: deal.companyId, type: 'deal_to_company' },
    ]);
    const plain = await call(sandbox, `/hubspot/crm/v3/objects/deals/${deal.id}`);
    assert.deepEqual(Object.keys(plain.body.properties).sort(), [
      'amount',
      'closedate',
      'createdate',
      'dealname',
      'dealstage',
      'hs_lastmodifieddate',
      'hs_object_id',
      'pipeline',
    ]);
  });

  it('owners, pipelines and v3/v4 associations answer in HubSpot shapes', async () => {
    assert.ok(deal);
    const owners = await call(sandbox, '/hubspot/crm/v3/owners');
    assert.equal(owners.body.results.length, world.owners.length);
    const owner = await call(sandbox, `/hubspot/crm/v3/owners/${deal.ownerId}`);
    assert.equal(owner.body.id, deal.ownerId);
    const pipelines = await call(sandbox, '/hubspot/crm/v3/pipelines/deals');
    assert.equal(pipelines.body.results[0].stages.length, 7);
    const v3 = await call(sandbox, `/hubspot/crm/v3/objects/deals/${deal.id}/associations/contacts`);
    assert.deepEqual(
      v3.body.results.map((r: Json) => r.id),
      deal.contactIds,
    );
    const v4 = await call(sandbox, `/hubspot/crm/v4/objects/deals/${deal.id}/associations/companies`);
    assert.equal(v4.body.results[0].toObjectId, Number(deal.companyId));
    const batch = await call(sandbox, '/hubspot/crm/v4/associations/deals/companies/batch/read', {
      inputs: [{ id: deal.id }, { id: '1' }],
    });
    assert.equal(batch.status, 207);
    assert.equal(batch.body.results.length, 1);
    assert.equal(batch.body.numErrors, 1);
  });
});

describe('auth and not-found', () => {
  const sandbox = customerSandbox();

  it('401 without a token on every customer service; ChargeOver takes Basic public:private', async () => {
    for (const path of [
      '/hubspot/crm/v3/objects/deals',
      '/intercom/conversations',
      '/chargeover/api/v3/customer',
    ]) {
      assert.equal((await call(sandbox, path, undefined, {})).status, 401, path);
      assert.equal(
        (await call(sandbox, path, undefined, { authorization: 'Bearer wrong' })).status,
        401,
        path,
      );
    }
    assert.equal((await call(sandbox, '/chargeover/api/v3/customer', undefined, BASIC)).status, 200);
  });

  it("404s come in each service's error shape", async () => {
    const hub = await call(sandbox, '/hubspot/crm/v3/objects/companies/42');
    assert.equal(hub.status, 404);
    assert.equal(hub.body.status, 'error');
    assert.equal(hub.body.category, 'OBJECT_NOT_FOUND');
    assert.equal(typeof hub.body.correlationId, 'string');
    const owner = await call(sandbox, '/hubspot/crm/v3/owners/1');
    assert.equal(owner.status, 404);
    const ic = await call(sandbox, '/intercom/conversations/42');
    assert.equal(ic.status, 404);
    assert.equal(ic.body.type, 'error.list');
    assert.equal(ic.body.errors[0].code, 'not_found');
    const contact = await call(sandbox, '/intercom/contacts/abc');
    assert.equal(contact.body.errors[0].code, 'not_found');
    const co = await call(sandbox, '/chargeover/api/v3/invoice/42');
    assert.equal(co.status, 404);
    assert.deepEqual([co.body.code, co.body.status], [404, 'Error']);
    const unknownType = await call(sandbox, '/hubspot/crm/v3/objects/widgets');
    assert.equal(unknownType.status, 400);
  });
});

describe('fault knobs', () => {
  it('errorRate 1 → 5xx and outage → 503 on one service while the others keep answering', async () => {
    const sandbox = customerSandbox();
    sandbox.faults.set('hubspot', { errorRate: 1 });
    const failing = await call(sandbox, '/hubspot/crm/v3/objects/deals');
    assert.ok(failing.status >= 500 && failing.status <= 503, String(failing.status));
    assert.equal((await call(sandbox, '/intercom/conversations')).status, 200);
    assert.equal((await call(sandbox, '/chargeover/api/v3/customer')).status, 200);
    sandbox.faults.set('hubspot', { errorRate: 0 });
    sandbox.faults.set('chargeover', { outage: true });
    assert.equal((await call(sandbox, '/chargeover/api/v3/invoice')).status, 503);
    assert.equal((await call(sandbox, '/hubspot/crm/v3/objects/deals')).status, 200);
    assert.equal((await call(sandbox, '/intercom/conversations')).status, 200);
    sandbox.faults.reset();
    assert.equal((await call(sandbox, '/chargeover/api/v3/invoice')).status, 200);
  });

  it('latency is added to the slowed service only', async () => {
    const sandbox = customerSandbox();
    sandbox.faults.set('intercom', { latencyMs: 150 });
    const started = performance.now();
    assert.equal((await call(sandbox, '/intercom/conversations?per_page=1')).status, 200);
    assert.ok(performance.now() - started >= 140, 'the answer waited for the configured latency');
    assert.equal((await call(sandbox, '/hubspot/crm/v3/owners')).status, 200);
  });
});
