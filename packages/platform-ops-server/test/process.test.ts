/**
 * The platform-ops server as its own process against a sandbox on loopback: spawned with
 * `--port 0` and called over Streamable HTTP by an SDK client (both eras), refusing a bad
 * environment at start, and launched over stdio by the Gatehouse gateway with the caller's
 * identity forwarded — which is who the platform API records as having asked for a restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { httpClient, spawnServerProcess } from '@gatehouse/kit/testing';
import { type RunningSandbox, startSandbox } from '@gatehouse/sandbox';
import type { Client } from '@modelcontextprotocol/client';
import { SqliteApiKeys } from '../../gateway/src/auth/api-keys-sqlite.ts';
import {
  connectClient,
  startGateway,
  stdioUpstreamYaml,
  type TestGateway,
  tempStorage,
  textOf,
} from '../../gateway/test/helpers/harness.ts';
import { type Loose, MAIN, NOW, serverEnv, TOKEN } from './helpers.ts';

let sandbox: RunningSandbox;
before(async () => {
  sandbox = await startSandbox({ port: 0, now: NOW, only: ['platform'], tokens: [TOKEN] });
});
after(() => sandbox.close());

async function actionLog(service: string): Promise<Loose[]> {
  const response = await fetch(`${sandbox.baseUrls.platform}/v1/events?service=${service}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return ((await response.json()) as { data: Loose[] }).data;
}

const spawnServer = (env: Record<string, string>) =>
  spawnServerProcess(MAIN, { env, name: 'platform-ops server' });

describe('standalone process over HTTP', () => {
  for (const era of ['legacy', 'modern'] as const) {
    test(`serves tools, resources and the prompt (${era})`, async () => {
      const server = spawnServer(serverEnv(sandbox));
      let client: Client | undefined;
      try {
        client = await httpClient(await server.url, era);
        const names = (await client.listTools()).tools.map((t) => t.name).sort();
        assert.deepEqual(names, [
          'get_service_health',
          'health',
          'list_recent_deploys',
          'restart_service',
          'rollback_deploy',
          'search_runbooks',
        ]);
        const health = await client.callTool({
          name: 'get_service_health',
          arguments: { service: 'search-api' },
        });
        assert.equal(health.isError, undefined, textOf(health));
        assert.equal((health.structuredContent as Loose).status, 'degraded');
        // No caller is configured for a directly reached server: actions are refused.
        const restart = await client.callTool({
          name: 'restart_service',
          arguments: { service: 'search-api', reason: 'slow results' },
        });
        assert.equal(restart.isError, true);
        assert.match(textOf(restart), /must be attributable/);
        const { resources } = await client.listResources();
        assert.equal(resources.length, 12);
        const prompt = await client.getPrompt({
          name: 'incident-triage',
          arguments: { service: 'search-api' },
        });
        assert.match(JSON.stringify(prompt.messages), /SearchLatencyHigh/);
      } finally {
        await client?.close().catch(() => undefined);
        assert.equal(await server.stop(), 0, server.stderr());
      }
    });
  }

  test('a bad environment stops the process with the variable named', async () => {
    const server = spawnServer({ ...serverEnv(sandbox), PLATFORM_BASE_URL: 'not a url', PLATFORM_TOKEN: '' });
    await assert.rejects(
      server.url,
      /bad environment: PLATFORM_BASE_URL must be an http\(s\) URL; PLATFORM_TOKEN is required/,
    );
    assert.equal(await server.exited(), 1);
  });
});

describe('behind the gateway', () => {
  let gw: TestGateway;
  const keys: Record<string, string> = {};
  before(async () => {
    const storage = tempStorage();
    const store = new SqliteApiKeys(storage);
    keys.dana = store.create({ user: 'dana', org: 'northwind', roles: ['sre'] }).key;
    store.close();
    gw = await startGateway(`upstreams:
${stdioUpstreamYaml('platform', MAIN, serverEnv(sandbox), '    forwardIdentity: { meta: true }\n')}
auth: { apiKeys: true }
policy:
  groups:
    ops: { allow: [{ tools: ["platform_*"], resources: ["service://catalog/*"], prompts: ["platform_*"] }] }
  roles:
    sre: { groups: [ops] }
storage: { path: ${JSON.stringify(storage)} }
`);
  });
  after(() => gw.close());

  for (const era of ['legacy', 'modern'] as const) {
    test(`exposes platform_* tools and reads health (${era})`, async () => {
      const client = await connectClient(
        gw.url,
        era,
        undefined,
        {},
        { authorization: `Bearer ${keys.dana}` },
      );
      try {
        const names = (await client.listTools()).tools.map((t) => t.name);
        for (const name of [
          'platform_get_service_health',
          'platform_search_runbooks',
          'platform_list_recent_deploys',
          'platform_restart_service',
          'platform_rollback_deploy',
        ]) {
          assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
        }
        const health = await client.callTool({
          name: 'platform_get_service_health',
          arguments: { service: 'checkout-api' },
        });
        assert.equal(health.isError, undefined, textOf(health));
        assert.equal((health.structuredContent as Loose).status, 'degraded');
        const { contents } = await client.readResource({ uri: 'service://catalog/checkout-api' });
        assert.equal(JSON.parse((contents[0] as { text: string }).text).team, 'storefront');
        const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
        assert.ok(prompts.includes('platform_incident-triage'), prompts.join(', '));
      } finally {
        await client.close();
      }
    });
  }

  test('a restart through the gateway is attributed to the authenticated caller', async () => {
    const client = await connectClient(
      gw.url,
      'modern',
      undefined,
      {},
      { authorization: `Bearer ${keys.dana}` },
    );
    try {
      const result = await client.callTool({
        name: 'platform_restart_service',
        arguments: { service: 'notifications-worker', reason: 'workers stuck on a poison message' },
      });
      assert.equal(result.isError, undefined, textOf(result));
      assert.equal((result.structuredContent as Loose).requestedBy, 'dana');
      const events = await actionLog('notifications-worker');
      assert.equal(events.length, 1);
      assert.equal(events[0].requested_by, 'dana');
      assert.equal(events[0].reason, 'workers stuck on a poison message');
    } finally {
      await client.close();
    }
  });
});
