/**
 * The server as a Lantern user's MCP host runs it — its own stdio process, configured with the
 * user's own token — against a real Lantern: it lists exactly its tools, each user can do what
 * their role allows and gets Lantern's own refusal as a tool error otherwise, and a token that
 * stops working (or a product that is down) is a clear tool error while the process keeps serving.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { UNKNOWN_TOKEN_MESSAGE } from '../src/errors.ts';
import {
  ALICE,
  BOB,
  body,
  CAROL,
  type StdioServer,
  serverAs,
  startWorld,
  stdioServer,
  TOOL_NAMES,
  type World,
} from './helpers.ts';

interface Incident {
  ref: string;
  orgId: string;
  status: string;
  title: string;
  notes?: { author: string; body: string }[];
}

let world: World;
const servers: StdioServer[] = [];
async function as(email: string): Promise<StdioServer> {
  const server = await serverAs(world.lantern, email);
  servers.push(server);
  return server;
}
before(async () => {
  world = await startWorld();
});
after(async () => {
  for (const server of servers) await server.close();
  await world.close();
});

describe('tools/list', () => {
  test('shows exactly the user-level tools, with annotations, and no org/user/token argument', async () => {
    const bob = await as(BOB);
    const { tools } = await bob.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), TOOL_NAMES);
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const read of ['whoami', 'list_services', 'list_incidents', 'get_incident']) {
      assert.equal(byName.get(read)?.annotations?.readOnlyHint, true, read);
    }
    for (const write of ['open_incident', 'add_incident_note', 'set_incident_status']) {
      assert.equal(byName.get(write)?.annotations?.readOnlyHint, false, write);
      assert.equal(byName.get(write)?.annotations?.destructiveHint, false, write);
    }
    assert.equal(byName.get('delete_incident')?.annotations?.destructiveHint, true);
    assert.equal(byName.get('set_incident_status')?.annotations?.idempotentHint, true);
    assert.equal(byName.get('open_incident')?.annotations?.idempotentHint, false);
    for (const tool of tools) {
      const args = Object.keys(tool.inputSchema.properties ?? {});
      const privileged = args.filter((a) => /org|user|token|email|actor|as$/i.test(a));
      assert.deepEqual(privileged, [], `${tool.name} takes ${privileged.join(', ')}`);
      assert.ok(tool.outputSchema, `${tool.name} declares an output schema`);
      assert.doesNotMatch(tool.name, /analytic|activity|operator|all_orgs/);
    }
  });
});

describe('what each role can do', () => {
  test('whoami answers for the token: Bob, responder of Northwind', async () => {
    const bob = await as(BOB);
    const me = await bob.call('whoami');
    assert.equal(me.isError, false, me.text);
    const structured = me.structured as { user: { email: string; orgId: string; role: string } };
    assert.deepEqual(
      { email: structured.user.email, org: structured.user.orgId, role: structured.user.role },
      { email: BOB, org: 'northwind', role: 'responder' },
    );
    assert.ok((body(me).permissions as string[]).includes('incidents:write'));
  });

  test('a responder opens, notes and acknowledges an incident; Lantern has it, logged as his', async () => {
    const bob = await as(BOB);
    const services = body(await bob.call('list_services')).services as { name: string }[];
    assert.ok(services.some((s) => s.name === 'checkout-api'));
    const opened = await bob.call('open_incident', {
      title: 'Checkout latency doubled',
      service: 'checkout-api',
      severity: 'sev2',
      summary: 'p95 at 900 ms since 10:02',
    });
    assert.equal(opened.isError, false, opened.text);
    const { ref, status, orgId } = opened.structured as unknown as Incident;
    assert.match(ref, /^INC-\d+$/);
    assert.deepEqual({ status, orgId }, { status: 'open', orgId: 'northwind' });
    const noted = await bob.call('add_incident_note', { ref, body: 'Rolled back 2024.11.4' });
    assert.equal(noted.isError, false, noted.text);
    const acknowledged = await bob.call('set_incident_status', { ref, status: 'acknowledged' });
    assert.equal((acknowledged.structured as unknown as Incident).status, 'acknowledged');

    const seen = (await (await world.lantern.api(`/incidents/${ref}`, { as: ALICE })).json()) as Incident;
    assert.equal(seen.status, 'acknowledged');
    assert.equal(seen.title, 'Checkout latency doubled');
    assert.deepEqual(
      seen.notes?.map((n) => [n.author, n.body]),
      [[BOB, 'Rolled back 2024.11.4']],
    );
    const log = (await (
      await world.lantern.api(`/activity?actor=${encodeURIComponent(BOB)}&limit=10`, { as: ALICE })
    ).json()) as { activity: { actor: string; via: string; action: string; target: string }[] };
    assert.deepEqual(
      log.activity
        .filter((a) => a.target === ref)
        .map((a) => [a.action, a.actor, a.via])
        .sort(),
      [
        ['incident.acknowledged', BOB, 'api'],
        ['incident.noted', BOB, 'api'],
        ['incident.opened', BOB, 'api'],
      ],
      "Lantern's activity log has Bob's own actions, through the API",
    );
    const listed = await bob.call('list_incidents', { status: 'acknowledged' });
    const refs = (body(listed).incidents as Incident[]).map((i) => i.ref);
    assert.ok(refs.includes(ref), `${ref} in ${refs.join(', ')}`);
    assert.ok((body(listed).incidents as Incident[]).every((i) => i.status === 'acknowledged'));
  });

  test("a viewer's write gets Lantern's refusal as a tool error the model cannot fix; reads work", async () => {
    const carol = await as(CAROL);
    const refused = await carol.call('open_incident', {
      title: 'Something is off',
      service: 'search-api',
      severity: 'sev3',
    });
    assert.equal(refused.isError, true);
    assert.equal(refused.text, 'Lantern refused: your role (viewer) does not allow incidents:write.');
    assert.deepEqual(refused.error, { code: 'forbidden', details: { status: 403, modelCanFix: false } });
    const note = await carol.call('add_incident_note', { ref: 'INC-1', body: 'me too' });
    assert.equal(note.text, 'Lantern refused: your role (viewer) does not allow incidents:write.');
    const listed = await carol.call('list_incidents', { limit: 2 });
    assert.equal(listed.isError, false, listed.text);
    assert.equal((body(listed).incidents as Incident[]).length, 2);
  });

  test('a responder cannot delete; an admin can, and then it is not found (fixable)', async () => {
    const bob = await as(BOB);
    const alice = await as(ALICE);
    const refused = await bob.call('delete_incident', { ref: 'INC-2' });
    assert.equal(refused.isError, true);
    assert.equal(refused.text, 'Lantern refused: your role (responder) does not allow incidents:delete.');
    assert.equal((await world.lantern.api('/incidents/INC-2')).status, 200, 'still there');

    const deleted = await alice.call('delete_incident', { ref: 'INC-2' });
    assert.equal(deleted.isError, false, deleted.text);
    assert.equal((deleted.structured as unknown as Incident).title, 'Facet counts wrong after reindex');
    assert.equal((await world.lantern.api('/incidents/INC-2')).status, 404, 'gone from Lantern');
    const again = await alice.call('get_incident', { ref: 'INC-2' });
    assert.equal(again.text, 'Not found in Lantern: no incident INC-2.');
    assert.deepEqual(again.error, { code: 'not_found', details: { status: 404, modelCanFix: true } });
  });

  test('a rule of the product (a transition, an unknown service) is a fixable refusal', async () => {
    const bob = await as(BOB);
    const transition = await bob.call('set_incident_status', { ref: 'INC-1', status: 'acknowledged' });
    assert.equal(
      transition.text,
      'Lantern refused: an incident that is resolved cannot become acknowledged (it can become open).',
    );
    assert.deepEqual(transition.error, { code: 'conflict', details: { status: 409, modelCanFix: true } });
    const service = await bob.call('open_incident', { title: 'Broken', service: 'nope', severity: 'sev4' });
    assert.equal(
      service.text,
      `Lantern refused: service: "nope" is not one of your organisation's services.`,
    );
    assert.equal(service.error?.details?.modelCanFix, true);
  });
});

describe('a token that stops working, a product that is down', () => {
  test('a revoked token is a clear tool error and the process keeps serving', async () => {
    const issued = (await (
      await world.lantern.api('/tokens', { method: 'POST', json: { label: 'desktop' } })
    ).json()) as { id: string; token: string };
    const server = await stdioServer({ LANTERN_URL: world.lantern.url, LANTERN_TOKEN: issued.token });
    servers.push(server);
    assert.equal((await server.call('whoami')).isError, false);
    const revoked = await world.lantern.api(`/tokens/${issued.id}`, { method: 'DELETE' });
    assert.equal(revoked.status, 204);

    for (const tool of ['whoami', 'list_incidents']) {
      const refused = await server.call(tool);
      assert.equal(refused.isError, true);
      assert.equal(refused.text, UNKNOWN_TOKEN_MESSAGE);
      assert.deepEqual(refused.error, {
        code: 'unauthenticated',
        details: { status: 401, modelCanFix: false },
      });
    }
    assert.match(UNKNOWN_TOKEN_MESSAGE, /LANTERN_TOKEN: it is unknown or revoked/);
    assert.ok(server.alive(), 'the server process is still running');
    assert.equal((await server.client.listTools()).tools.length, TOOL_NAMES.length);
    const health = await server.call('health');
    assert.equal((health.structured as { status: string }).status, 'ok', 'Lantern itself is up');
  });

  test('a well-formed token Lantern never issued gets the same message', async () => {
    const server = await stdioServer({
      LANTERN_URL: world.lantern.url,
      LANTERN_TOKEN: 'lnt_thisTokenWasNeverIssued0000000000',
    });
    servers.push(server);
    const refused = await server.call('get_incident', { ref: 'INC-1' });
    assert.equal(refused.text, UNKNOWN_TOKEN_MESSAGE);
    assert.ok(server.alive());
  });

  test('an unreachable Lantern: "cannot reach Lantern at URL", health down, still serving', async () => {
    const nowhere = 'http://127.0.0.1:9';
    const server = await stdioServer({
      LANTERN_URL: nowhere,
      LANTERN_TOKEN: 'lnt_any',
      LANTERN_TIMEOUT_MS: '500',
    });
    servers.push(server);
    const failed = await server.call('list_incidents');
    assert.equal(failed.isError, true);
    assert.equal(failed.text, `cannot reach Lantern at ${nowhere} (connection failed).`);
    assert.deepEqual(failed.error, { code: 'unavailable', details: { modelCanFix: false } });
    const health = await server.call('health');
    const report = health.structured as { status: string; checks: { name: string; detail?: string }[] };
    assert.equal(report.status, 'down');
    assert.equal(report.checks[0]?.detail, `cannot reach Lantern at ${nowhere} (connection failed).`);
    assert.ok(server.alive());
  });
});
