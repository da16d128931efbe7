/**
 * The health watch (Lantern's AgenticOps job) through the front door with real parts: the
 * sandbox's platform API (it starts with a checkout error spike after a release and slow search),
 * `gatehouse serve` fronting the real platform-ops and knowledge servers, and Lantern with the
 * automation configured — its incidents opened through the internal MCP server as
 * automation:health-watch, its gateway calls under its own key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PRINCIPAL_META_KEY } from '@gatehouse/kit';
import { httpClient } from '@gatehouse/kit/testing';
import type { RunReport } from '../src/automation/run.ts';
import { listActivity } from '../src/domain/activity.ts';
import type { IncidentWithNotes } from '../src/domain/incident-model.ts';
import type { Actor } from '../src/domain/permissions.ts';
import { type RunningLantern, startLantern } from '../src/server.ts';
import { sqliteDatabases } from './helpers/backends.ts';
import { ALICE, PASSWORDS } from './helpers/lantern.ts';
import { type OpsGateway, startOpsGateway } from './helpers/ops-gateway.ts';

const WATCH = 'automation:health-watch';
const databases = sqliteDatabases();
let gw: OpsGateway;

before(async () => {
  gw = await startOpsGateway();
});
after(async () => {
  await gw?.close();
  await databases.cleanup();
});

async function lanternWith(automation: Record<string, unknown>): Promise<RunningLantern> {
  return startLantern({
    database: await databases.fresh(),
    seedPasswords: PASSWORDS,
    logError: () => {},
    automation: {
      gateway: { url: gw.url, key: gw.automationKey },
      org: 'northwind',
      intervalMs: 0,
      ...automation,
    },
  });
}

async function admin(lantern: RunningLantern): Promise<Actor> {
  const user = await lantern.core.accounts.userByEmail(ALICE);
  assert.ok(user);
  return { kind: 'user', user, via: 'web' };
}

async function incident(lantern: RunningLantern, ref: string): Promise<IncidentWithNotes> {
  return lantern.core.incidents.get(await admin(lantern), ref);
}

function watchOf(lantern: RunningLantern) {
  assert.ok(lantern.automation, 'the automation is configured');
  return lantern.automation;
}

describe('the health watch on the degraded sandbox world', () => {
  let lantern: RunningLantern;
  let first: RunReport;
  const refOf = (service: string) => {
    const opened = first.opened.find((o) => o.service === service);
    assert.ok(opened, `an incident for ${service}: ${JSON.stringify(first)}`);
    return opened.ref;
  };
  const actionOf = (report: RunReport, service: string) => report.actions.find((a) => a.service === service);

  before(async () => {
    lantern = await lanternWith({});
  });
  after(() => lantern?.close());

  it('opens an incident per degraded service with the runbook-based cause, and asks for the change without making it', async () => {
    first = await watchOf(lantern).runOnce();
    assert.deepEqual(first.failures, []);
    assert.equal(first.ok, true);
    assert.deepEqual(
      first.checked.filter((c) => c.status !== 'healthy').map((c) => `${c.service} ${c.status}`),
      ['checkout-api degraded', 'search-api degraded'],
    );
    assert.equal(first.checked.length, 12, "every service of the org's catalogue is checked");

    const checkout = await incident(lantern, refOf('checkout-api'));
    assert.equal(checkout.openedBy, WATCH);
    assert.equal(checkout.severity, 'sev2', 'critical alerts make it a sev2');
    assert.match(checkout.title, /^checkout-api degraded: CheckoutHighErrorRate/);
    assert.match(checkout.summary, /Alert CheckoutHighErrorRate \(critical/);
    const [cause, awaiting] = checkout.notes;
    assert.ok(cause && awaiting, JSON.stringify(checkout.notes));
    assert.match(
      cause.body,
      /Deploy dep_\w+: checkout-api \S+ "Apply promotions through the new pricing engine"/,
    );
    assert.match(
      cause.body,
      /Runbook "checkout-api: high error rate" › .* \(runbooks\/checkout-api-high-error-rate\.md L\d+-L\d+\)/,
    );
    assert.match(cause.body, /Proposed action: roll back dep_\w+ \(checkout-api /);
    const rollback = actionOf(first, 'checkout-api');
    assert.equal(rollback?.tool, 'platform_rollback_deploy');
    assert.equal(rollback?.state, 'awaiting-approval');
    assert.match(rollback?.approvalId ?? '', /^apr_/);
    assert.match(
      awaiting.body,
      new RegExp(`^Awaiting approval ${rollback?.approvalId} at Gatehouse to roll back dep_`),
    );

    const search = await incident(lantern, refOf('search-api'));
    assert.equal(search.severity, 'sev3', 'a warning alert only');
    assert.match(search.notes[0]?.body ?? '', /No recent deploy to blame/);
    assert.match(search.notes[0]?.body ?? '', /Proposed action: restart search-api/);
    assert.equal(actionOf(first, 'search-api')?.tool, 'platform_restart_service');
    assert.equal(actionOf(first, 'search-api')?.state, 'awaiting-approval');

    assert.deepEqual(await gw.platformEvents(), [], 'nothing was restarted or rolled back');
  });

  it("puts every step in Lantern's activity log as automation:health-watch via internal-mcp", async () => {
    const entries = await listActivity(lantern.core.sql, await admin(lantern), { actor: WATCH, limit: 100 });
    assert.ok(entries.length > 0);
    assert.deepEqual([...new Set(entries.map((e) => e.via))], ['internal-mcp']);
    const actions = entries.map((e) => `${e.action} ${e.target}`);
    for (const service of ['checkout-api', 'search-api']) {
      const ref = refOf(service);
      assert.ok(actions.includes(`incident.opened ${ref}`), actions.join('\n'));
      assert.ok(actions.includes(`automation.approval_requested ${ref}`), actions.join('\n'));
    }
    const run = entries.find((e) => e.action === 'automation.run');
    assert.deepEqual(run?.detail.degraded, ['checkout-api', 'search-api']);
    assert.equal(run?.detail.ok, true);
  });

  it("puts its gateway calls in the gateway's audit under its key's principal, the change as awaiting approval", async () => {
    const mine = (await gw.audit()).filter((r) => r.principal?.user === 'health-watch');
    const targets = new Set(mine.map((r) => r.target));
    for (const tool of [
      'platform_get_service_health',
      'platform_list_recent_deploys',
      'platform_search_runbooks',
      'knowledge_search_docs',
    ])
      assert.ok(targets.has(tool), `${tool} audited: ${[...targets].join(', ')}`);
    const change = mine.find((r) => r.target === 'platform_rollback_deploy');
    assert.ok(change, 'the rollback request is audited');
    assert.equal(change.approvedBy, null);
    assert.equal(change.status, 'awaiting_approval', JSON.stringify(change));
    assert.ok(
      mine.some((r) => r.target === 'platform_restart_service' && r.status === 'awaiting_approval'),
      'the restart request too',
    );
  });

  it('opens no duplicate on the next run, and the pending approval stays pending', async () => {
    const second = await watchOf(lantern).runOnce();
    assert.deepEqual(second.failures, []);
    assert.deepEqual(second.opened, []);
    assert.equal(actionOf(second, 'checkout-api')?.approvalId, actionOf(first, 'checkout-api')?.approvalId);
    assert.equal(actionOf(second, 'checkout-api')?.state, 'awaiting-approval');
    const mine = await lantern.core.incidents.list(await admin(lantern), { status: 'open', limit: 100 });
    assert.equal(mine.filter((i) => i.openedBy === WATCH).length, 2);
    assert.equal((await incident(lantern, refOf('checkout-api'))).notes.length, 2, 'nothing noted again');
    assert.deepEqual(await gw.platformEvents(), []);
  });

  it('once an approver says yes at the gateway, the next run makes the change once and notes it', async () => {
    const approvalId = actionOf(first, 'checkout-api')?.approvalId ?? '';
    assert.match(await gw.approve(approvalId), new RegExp(approvalId));
    const third = await watchOf(lantern).runOnce();
    assert.deepEqual(third.failures, []);
    assert.equal(actionOf(third, 'checkout-api')?.state, 'executed');
    assert.equal(actionOf(third, 'search-api')?.state, 'awaiting-approval', 'the restart still waits');
    const events = await gw.platformEvents();
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.service} ${e.requested_by}`),
      ['rollback checkout-api health-watch'],
    );
    const checkout = await incident(lantern, refOf('checkout-api'));
    assert.match(
      checkout.notes.at(-1)?.body ?? '',
      new RegExp(`^Done after approval ${approvalId}: roll back dep_`),
    );
    const executed = await listActivity(lantern.core.sql, await admin(lantern), {
      actor: WATCH,
      action: 'automation.action_executed',
    });
    assert.equal(executed.length, 1);
    assert.equal(executed[0]?.target, refOf('checkout-api'));
    const approved = (await gw.audit()).find(
      (r) =>
        r.principal?.user === 'health-watch' && r.target === 'platform_rollback_deploy' && r.status === 'ok',
    );
    assert.equal(approved?.approvedBy, 'ada');

    const fourth = await watchOf(lantern).runOnce();
    assert.equal(actionOf(fourth, 'checkout-api'), undefined, 'a settled request is not made again');
    assert.equal((await gw.platformEvents()).length, 1);
  });

  it('when an approver says no, the next run notes the denial and never restarts', async () => {
    const approvalId = actionOf(first, 'search-api')?.approvalId ?? '';
    await gw.deny(approvalId, 'not during the sale');
    const report = await watchOf(lantern).runOnce();
    assert.equal(actionOf(report, 'search-api')?.state, 'denied');
    const search = await incident(lantern, refOf('search-api'));
    assert.match(
      search.notes.at(-1)?.body ?? '',
      /^Not done: Approval apr_\S+ for this call was denied by ada: not during the sale/,
    );
    const refused = await listActivity(lantern.core.sql, await admin(lantern), {
      action: 'automation.action_refused',
    });
    assert.equal(refused[0]?.target, refOf('search-api'));
    assert.deepEqual(await gw.platformEvents('search-api'), []);
    const again = await watchOf(lantern).runOnce();
    assert.equal(actionOf(again, 'search-api'), undefined, 'a denied request is not asked again');
  });
});

describe('the health watch when things go wrong', () => {
  const lanterns: RunningLantern[] = [];
  after(() => Promise.all(lanterns.map((l) => l.close())));
  const start = async (automation: Record<string, unknown>) => {
    const lantern = await lanternWith(automation);
    lanterns.push(lantern);
    return lantern;
  };
  const failuresIn = async (lantern: RunningLantern) =>
    listActivity(lantern.core.sql, await admin(lantern), { actor: WATCH, action: 'automation.failed' });

  it('a key the gateway refuses: one clear failure in the report and the activity log, nothing opened', async () => {
    const lantern = await start({ gateway: { url: gw.url, key: 'ghk_not-a-key-the-gateway-issued' } });
    const report = await watchOf(lantern).runOnce();
    assert.equal(report.ok, false);
    assert.deepEqual(report.opened, []);
    assert.equal(report.failures.length, 1, JSON.stringify(report.failures));
    assert.equal(report.failures[0]?.step, 'connect-gateway');
    assert.match(report.failures[0]?.message ?? '', /^could not reach Gatehouse: .*key/i);
    assert.doesNotMatch(JSON.stringify(report), /ghk_not-a-key/, 'the key is never repeated');
    const [failed] = await failuresIn(lantern);
    assert.equal(failed?.via, 'internal-mcp');
    assert.equal(failed?.detail.message, report.failures[0]?.message);
    const run = await listActivity(lantern.core.sql, await admin(lantern), { action: 'automation.run' });
    assert.equal(run[0]?.detail.ok, false);
  });

  it('a tool error (a service the platform does not know) is recorded and the other services are still checked', async () => {
    const lantern = await start({ services: ['warp-drive', 'payments-gateway'] });
    const report = await watchOf(lantern).runOnce();
    assert.deepEqual(report.checked, [{ service: 'payments-gateway', status: 'healthy' }]);
    assert.equal(report.failures[0]?.step, 'platform_get_service_health');
    assert.equal(report.failures[0]?.target, 'warp-drive');
    assert.match(report.failures[0]?.message ?? '', /warp-drive/);
    assert.equal((await failuresIn(lantern))[0]?.target, 'warp-drive');
  });

  it('a service that is healthy again gets a note and its incident resolved', async () => {
    const lantern = await start({ services: ['payments-gateway'] });
    const automation: Actor = {
      kind: 'automation',
      name: 'health-watch',
      orgId: 'northwind',
      via: 'automation',
    };
    const opened = await lantern.core.incidents.open(automation, {
      title: 'payments-gateway degraded: test',
      service: 'payments-gateway',
      severity: 'sev3',
    });
    const report = await watchOf(lantern).runOnce();
    assert.deepEqual(report.recovered, [{ ref: opened.ref, service: 'payments-gateway' }]);
    const after = await incident(lantern, opened.ref);
    assert.equal(after.status, 'resolved');
    assert.match(after.notes.at(-1)?.body ?? '', /^payments-gateway is healthy again \(error rate [\d.]+%/);
  });

  it('the gateway down: each scheduled run records the failure and the schedule goes on; once it is back, a run works', async () => {
    const lantern = await start({ services: ['payments-gateway'], intervalMs: 200, connectTimeoutMs: 2_000 });
    const watch = watchOf(lantern);
    await gw.stop();
    try {
      const down = await until(
        () => watch.lastReport,
        (r) => r.failures.some((f) => f.step === 'connect-gateway'),
      );
      assert.match(down.failures[0]?.message ?? '', /^could not reach Gatehouse: /);
      assert.ok((await failuresIn(lantern)).length >= 1);
    } finally {
      await gw.start();
    }
    const up = await until(
      () => watch.lastReport,
      (r) => r.ok,
    );
    assert.deepEqual(up.checked, [{ service: 'payments-gateway', status: 'healthy' }]);
  });
});

/** Polls `get` until its value passes `ok` (20 s at most). */
async function until<T>(get: () => T | undefined, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = get();
    if (value !== undefined && ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the automation component of Lantern's internal server", () => {
  it('is served only with an automation, and records steps for an automation caller only', async () => {
    const plain = await startLantern({
      database: await databases.fresh(),
      seedPasswords: PASSWORDS,
      logError: () => {},
    });
    try {
      assert.equal(plain.internal?.automationUrl, undefined);
      const response = await fetch(`${plain.internal?.url}/mcp/automation`, {
        method: 'POST',
        headers: { authorization: `Bearer ${plain.internal?.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(response.status, 404);
    } finally {
      await plain.close();
    }
    const lantern = await lanternWith({});
    try {
      const internal = lantern.internal;
      assert.ok(internal?.automationUrl);
      const client = await httpClient(internal.automationUrl, 'modern', {
        authorization: `Bearer ${internal.token}`,
      });
      try {
        const alice = await lantern.core.accounts.userByEmail(ALICE);
        const asUser = await client.callTool({
          name: 'record_step',
          arguments: { step: 'run', target: 'x' },
          _meta: { [PRINCIPAL_META_KEY]: { id: alice?.id, user: ALICE, org: 'northwind', roles: ['admin'] } },
        });
        assert.equal(asUser.isError, true);
        assert.match(JSON.stringify(asUser.content), /only an automation records automation steps/);
        const asWatch = await client.callTool({
          name: 'record_step',
          arguments: { step: 'run', target: 'health-watch', detail: { ok: true } },
          _meta: { [PRINCIPAL_META_KEY]: { id: WATCH, user: WATCH, org: 'northwind', roles: [] } },
        });
        assert.equal(asWatch.isError, undefined, JSON.stringify(asWatch));
        const [entry] = await listActivity(lantern.core.sql, await admin(lantern), {
          action: 'automation.run',
        });
        assert.deepEqual([entry?.actor, entry?.via, entry?.target], [WATCH, 'internal-mcp', 'health-watch']);
      } finally {
        await client.close();
      }
    } finally {
      await lantern.close();
    }
  });

  it('refuses to start an automation without the internal server, in one line', async () => {
    await assert.rejects(
      lanternWithout(),
      /the automation needs Lantern's internal MCP server with its incidents component/,
    );
  });
});

async function lanternWithout(): Promise<RunningLantern> {
  return startLantern({
    database: await databases.fresh(),
    seedPasswords: PASSWORDS,
    logError: () => {},
    internal: false,
    automation: { gateway: { url: gw.url, key: gw.automationKey }, org: 'northwind' },
  });
}
