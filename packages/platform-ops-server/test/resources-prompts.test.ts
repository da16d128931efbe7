/**
 * The service catalog resources (`service://catalog/{service}`: listed, read as JSON, completed)
 * and the incident-triage prompt, through a real MCP client in both protocol eras.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testClient } from '@gatehouse/kit/testing';
import { type Loose, SRE, startWorld, type World } from './helpers.ts';

const SERVICES = [
  'checkout-api',
  'payments-gateway',
  'inventory-service',
  'search-api',
  'auth-service',
  'notifications-worker',
  'order-events',
  'web-frontend',
  'billing-sync',
  'recommendations',
  'media-cdn',
  'ledger-db',
];

for (const era of ['legacy', 'modern'] as const) {
  describe(`catalog resources and the triage prompt (${era})`, () => {
    let world: World;
    let client: Awaited<ReturnType<typeof testClient>>;
    before(async () => {
      world = await startWorld();
      client = await testClient(world.server, { caller: SRE, era });
    });
    after(async () => {
      await client?.close();
      await world?.close();
    });

    it('offers the template and lists all twelve services as JSON resources', async () => {
      const { resourceTemplates } = await client.client.listResourceTemplates();
      assert.deepEqual(
        resourceTemplates.map((t) => [t.uriTemplate, t.mimeType]),
        [['service://catalog/{service}', 'application/json']],
      );
      const { resources } = await client.client.listResources();
      assert.deepEqual(
        resources.map((r) => r.uri),
        SERVICES.map((s) => `service://catalog/${s}`),
      );
      for (const r of resources) assert.equal(r.mimeType, 'application/json');
      assert.match(resources[0]?.description ?? '', /storefront team, tier 1/);
    });

    it('reads one entry with owners, SLOs, dependencies and dependents', async () => {
      const { contents } = await client.client.readResource({ uri: 'service://catalog/payments-gateway' });
      assert.equal(contents.length, 1);
      const content = contents[0] as { uri: string; mimeType?: string; text?: string };
      assert.equal(content.uri, 'service://catalog/payments-gateway');
      assert.equal(content.mimeType, 'application/json');
      const entry = JSON.parse(content.text ?? '') as Loose;
      assert.equal(entry.team, 'payments');
      assert.equal(entry.language, 'java');
      assert.deepEqual(entry.dependencies, ['ledger-db', 'auth-service']);
      assert.deepEqual(entry.dependents, ['checkout-api']);
      assert.equal(entry.onCall.slackChannel, '#payments-oncall');
      assert.equal(entry.slo.availabilityTargetPct, 99.95);
    });

    it('refuses an unknown service with a resource-not-found error', async () => {
      for (const uri of ['service://catalog/nope-service', 'service://catalog/NOT%20A%20NAME']) {
        await assert.rejects(
          client.client.readResource({ uri }),
          (error: { code?: number; message?: string }) => {
            assert.equal(error.code, -32602);
            return true;
          },
        );
      }
    });

    it('completes the service variable from a prefix', async () => {
      const complete = (value: string) =>
        client.client.complete({
          ref: { type: 'ref/resource', uri: 'service://catalog/{service}' },
          argument: { name: 'service', value },
        });
      assert.deepEqual((await complete('pay')).completion.values, ['payments-gateway']);
      assert.deepEqual((await complete('')).completion.values, SERVICES);
      assert.deepEqual((await complete('zz')).completion.values, []);
    });

    it('renders incident triage with live health, recent deploys, dependencies and runbooks', async () => {
      const { prompts } = await client.client.listPrompts();
      const triage = prompts.find((p) => p.name === 'incident-triage');
      assert.ok(triage);
      assert.deepEqual(
        triage.arguments?.map((a) => [a.name, a.required]),
        [
          ['service', true],
          ['symptom', false],
        ],
      );
      const result = await client.client.getPrompt({
        name: 'incident-triage',
        arguments: { service: 'checkout-api', symptom: 'customers see errors when paying' },
      });
      const text = (result.messages[0]?.content as { text?: string } | undefined)?.text ?? '';
      assert.match(
        text,
        /Triage an incident on checkout-api \(storefront team, tier 1; on call: storefront-primary/,
      );
      assert.match(text, /Reported symptom: customers see errors when paying\./);
      assert.match(text, /Current health .*: DEGRADED/);
      assert.match(text, /alert CheckoutHighErrorRate \(critical/);
      assert.match(
        text,
        /dep_[0-9a-f]{12} \d+\.\d+\.\d+ succeeded, started 42 min ago by sofia\.alvarez: Apply promotions/,
      );
      assert.match(
        text,
        /Dependencies: payments-gateway healthy, inventory-service healthy, auth-service healthy/,
      );
      assert.match(text, /checkout-api: high error rate: .*runbooks\.northwind\.internal/);
      assert.match(text, /wait for confirmation/);
    });

    it('refuses triage of an unknown service with invalid params', async () => {
      await assert.rejects(
        client.client.getPrompt({ name: 'incident-triage', arguments: { service: 'chekout-api' } }),
        (error: { code?: number; message?: string }) => {
          assert.equal(error.code, -32602);
          assert.match(error.message ?? '', /Did you mean "checkout-api"/);
          return true;
        },
      );
    });
  });
}
