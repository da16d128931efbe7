/**
 * The customer server as its own process against an in-process sandbox: spawned with `--port 0`
 * and called over Streamable HTTP by an SDK client (both eras), refusing a bad environment at
 * start, and launched over stdio by the Gatehouse gateway, whose clients see `customer_*` tools
 * and get the same profile — including the partial one when billing is down.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { httpClient, spawnServerProcess } from '@gatehouse/kit/testing';
import type { RunningSandbox } from '@gatehouse/sandbox';
import type { Client } from '@modelcontextprotocol/client';
import {
  connectClient,
  startGateway,
  stdioUpstreamYaml,
  type TestGateway,
  textOf,
} from '../../gateway/test/helpers/harness.ts';
import { customerSandbox, envFor, expectedAtRisk, type Json, world } from './helpers.ts';

const MAIN = 'packages/customer-server/src/main.ts';
const TOOLS = [
  'find_at_risk_renewals',
  'get_customer_profile',
  'get_deal',
  'get_invoices',
  'health',
  'list_tickets',
];

let sandbox: RunningSandbox;
let env: Record<string, string>;
before(async () => {
  sandbox = await customerSandbox();
  env = { ...envFor(sandbox), LOG_LEVEL: 'warn' };
});
after(() => sandbox.close());

const company = world().companies.find((c) => c.scenario === 'at-risk');
assert.ok(company);

const spawnServer = (extra: Record<string, string | undefined>) =>
  spawnServerProcess(MAIN, { env: { ...env, ...extra }, name: 'customer server' });

describe('standalone process over HTTP', () => {
  for (const era of ['legacy', 'modern'] as const) {
    test(`answers the profile, the at-risk renewals and health (${era})`, async () => {
      const server = spawnServer({});
      let client: Client | undefined;
      try {
        client = await httpClient(await server.url, era);
        assert.deepEqual((await client.listTools()).tools.map((t) => t.name).sort(), TOOLS);
        const profile = await client.callTool({
          name: 'get_customer_profile',
          arguments: { customer: company.domain },
        });
        assert.equal(profile.isError, undefined, textOf(profile));
        assert.equal((profile.structuredContent as Json).customer.crmId, company.id);
        const atRisk = await client.callTool({ name: 'find_at_risk_renewals', arguments: {} });
        const expected = expectedAtRisk(world().quarter, 'enterprise', 2)
          .map((r) => r.dealId)
          .sort();
        assert.deepEqual(
          (atRisk.structuredContent as Json).atRisk.map((r: Json) => r.dealId).sort(),
          expected,
        );
        const health = await client.callTool({ name: 'health', arguments: {} });
        assert.equal((health.structuredContent as Json).status, 'ok', textOf(health));
      } finally {
        await client?.close().catch(() => undefined);
        assert.equal(await server.stop(), 0, server.stderr());
      }
    });
  }

  test('a bad environment stops the process with the variables named', async () => {
    const server = spawnServer({ HUBSPOT_TOKEN: '', CHARGEOVER_BASE_URL: 'not a url' });
    await assert.rejects(
      server.url,
      /HUBSPOT_TOKEN: is required[\s\S]*CHARGEOVER_BASE_URL: must be an http\(s\) URL/,
    );
    assert.equal(await server.exited(), 1);
  });
});

describe('behind the gateway', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(`upstreams:
${stdioUpstreamYaml('customer', MAIN, env, '    forwardIdentity: { meta: true }\n')}
`);
  });
  after(() => gw.close());

  for (const era of ['legacy', 'modern'] as const) {
    test(`exposes customer_* tools and answers through them (${era})`, async () => {
      const client = await connectClient(gw.url, era);
      try {
        const names = (await client.listTools()).tools.map((t) => t.name);
        for (const name of TOOLS.filter((t) => t !== 'health'))
          assert.ok(names.includes(`customer_${name}`), `customer_${name} in ${names.join(', ')}`);
        const profile = await client.callTool({
          name: 'customer_get_customer_profile',
          arguments: { customer: company.name },
        });
        assert.equal(profile.isError, undefined, textOf(profile));
        const body = profile.structuredContent as Json;
        assert.equal(body.customer.name, company.name);
        assert.ok(body.support.openTickets >= 2);
        assert.match(textOf(profile), /CRM: owner/);
        const unknown = await client.callTool({
          name: 'customer_get_customer_profile',
          arguments: { customer: 'Acme Rocket Skates' },
        });
        assert.equal(unknown.isError, true);
        assert.match(textOf(unknown), /No customer matches company name "Acme Rocket Skates"/);
      } finally {
        await client.close();
      }
    });
  }

  test('billing down behind the gateway: a partial profile, not a failed call', async () => {
    sandbox.faults.set('chargeover', { outage: true });
    const client = await connectClient(gw.url, 'modern');
    try {
      const profile = await client.callTool({
        name: 'customer_get_customer_profile',
        arguments: { customer: company.id },
      });
      assert.equal(profile.isError, undefined, textOf(profile));
      const body = profile.structuredContent as Json;
      assert.match(body.billing.unavailable, /ChargeOver is unavailable/);
      assert.ok(body.crm.currentDeal);
    } finally {
      await client.close();
      sandbox.faults.reset();
    }
  });
});
