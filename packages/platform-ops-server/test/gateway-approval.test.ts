/**
 * platform-ops behind Gatehouse's approvals: with `approvals.destructiveTools`, the gateway holds
 * a `platform_restart_service` call (annotated destructiveHint) until an approver decides; once
 * approved it runs exactly once, attributed to the requester; a denial never reaches the
 * platform API. Reads go straight through.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningSandbox, startSandbox } from '@gatehouse/sandbox';
import { SqliteApiKeys } from '../../gateway/src/auth/api-keys-sqlite.ts';
import {
  connectClient,
  errorOf,
  startGateway,
  stdioUpstreamYaml,
  type TestGateway,
  tempStorage,
  textOf,
} from '../../gateway/test/helpers/harness.ts';
import { type Loose, MAIN, NOW, serverEnv, TOKEN } from './helpers.ts';

describe('platform-ops behind gateway approvals', () => {
  let sandbox: RunningSandbox;
  let gw: TestGateway;
  const keys: Record<string, string> = {};

  before(async () => {
    sandbox = await startSandbox({ port: 0, now: NOW, only: ['platform'], tokens: [TOKEN] });
    const storage = tempStorage();
    const store = new SqliteApiKeys(storage);
    keys.dana = store.create({ user: 'dana', roles: ['sre'] }).key;
    keys.lead = store.create({ user: 'lead', roles: ['approver'] }).key;
    store.close();
    gw = await startGateway(`upstreams:
${stdioUpstreamYaml('platform', MAIN, serverEnv(sandbox), '    forwardIdentity: { meta: true }\n')}
auth: { apiKeys: true }
approvals: { mode: queue, destructiveTools: true, waitSeconds: 30, approvers: [approver] }
policy:
  groups:
    ops: { allow: [{ tools: ["platform_*"] }] }
  roles:
    sre: { groups: [ops] }
    approver: { groups: [] }
storage: { path: ${JSON.stringify(storage)} }
`);
  });

  after(async () => {
    await gw?.close();
    await sandbox?.close();
  });

  async function restarts(service: string): Promise<Loose[]> {
    const response = await fetch(`${sandbox.baseUrls.platform}/v1/events?service=${service}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return ((await response.json()) as { data: Loose[] }).data;
  }

  /** Waits until the call is queued, checks what the approver sees, then decides. */
  async function decideWhenQueued(verdict: 'approve' | 'deny', before: () => Promise<void>): Promise<void> {
    const headers = { authorization: `Bearer ${keys.lead}` };
    for (;;) {
      const response = await fetch(new URL('/api/approvals?status=pending', gw.url), { headers });
      const { approvals } = (await response.json()) as { approvals: Loose[] };
      const queued = approvals[0];
      if (queued !== undefined) {
        await before();
        const decided = await fetch(new URL(`/api/approvals/${queued.id}/${verdict}`, gw.url), {
          method: 'POST',
          headers,
        });
        assert.equal(decided.status, 200);
        return;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('runs reads without approval', async () => {
    const dana = await connectClient(
      gw.url,
      'modern',
      undefined,
      {},
      { authorization: `Bearer ${keys.dana}` },
    );
    try {
      const health = await dana.callTool({
        name: 'platform_get_service_health',
        arguments: { service: 'search-api' },
      });
      assert.equal(health.isError, undefined, textOf(health));
    } finally {
      await dana.close();
    }
  });

  it('holds restart_service until approved, then restarts once as the requester', async () => {
    const dana = await connectClient(
      gw.url,
      'modern',
      undefined,
      {},
      { authorization: `Bearer ${keys.dana}` },
    );
    try {
      const call = dana.callTool({
        name: 'platform_restart_service',
        arguments: { service: 'search-api', reason: 'OpenSearch connections stuck' },
      });
      await decideWhenQueued('approve', async () => {
        // Queued, not yet run: the platform has not been asked.
        assert.deepEqual(await restarts('search-api'), []);
        const pending = await fetch(new URL('/api/approvals?status=pending', gw.url), {
          headers: { authorization: `Bearer ${keys.lead}` },
        });
        const [request] = ((await pending.json()) as { approvals: Loose[] }).approvals;
        assert.equal(request.principal.user, 'dana');
        assert.deepEqual(request.arguments, {
          service: 'search-api',
          reason: 'OpenSearch connections stuck',
        });
      });
      const result = await call;
      assert.equal(result.isError, undefined, textOf(result));
      assert.equal((result.structuredContent as Loose).requestedBy, 'dana');
      const events = await restarts('search-api');
      assert.equal(events.length, 1);
      assert.equal(events[0].requested_by, 'dana');
    } finally {
      await dana.close();
    }
  });

  it('never reaches the platform API when the approver says no', async () => {
    const dana = await connectClient(
      gw.url,
      'modern',
      undefined,
      {},
      { authorization: `Bearer ${keys.dana}` },
    );
    try {
      const [error] = await Promise.all([
        errorOf(
          dana.callTool({
            name: 'platform_restart_service',
            arguments: { service: 'web-frontend', reason: 'memory leak suspected' },
          }),
        ),
        decideWhenQueued('deny', async () => {}),
      ]);
      assert.equal(error.code, -32058);
      assert.match(error.message ?? '', /denied by lead/);
      assert.deepEqual(await restarts('web-frontend'), []);
    } finally {
      await dana.close();
    }
  });
});
