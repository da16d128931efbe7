/**
 * Who can reach Lantern's internal MCP server at all, and what the operations component lets
 * whom do: the service token (none, wrong, a user's API token → HTTP 401 in JSON-RPC shape and
 * nothing happens), the public listener (never serves the internal paths), components not
 * enabled (404, their tools nowhere), operators alone across tenants, and bad configuration.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PRINCIPAL_META_KEY } from '@gatehouse/kit';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { startLantern } from '../src/server.ts';
import { sqliteDatabases } from './helpers/backends.ts';
import {
  assertStats,
  call,
  connect,
  ERAS,
  expectedStats,
  internalOf,
  type McpClient,
  ok,
  principalOf,
  restIncidents,
  toolError,
} from './helpers/internal.ts';
import {
  ALICE,
  BOB,
  DAVE,
  OLIVIA,
  PASSWORDS,
  startTestLantern,
  type TestLantern,
} from './helpers/lantern.ts';

const databases = sqliteDatabases();
after(() => databases.cleanup());

const PATHS = ['/mcp/incidents', '/mcp/analytics', '/mcp/operations'];

function initialize(): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'probe', version: '1' } },
  });
}

async function post(url: string, body: string, authorization?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(authorization === undefined ? {} : { authorization }),
    },
    body,
  });
}

describe('the service token', () => {
  let t: TestLantern;
  before(async () => {
    t = await startTestLantern(await databases.fresh());
  });
  after(() => t?.close());

  it('is required on every path: none, a wrong one, or a user API token → 401 in JSON-RPC shape', async () => {
    const internal = internalOf(t);
    const wrong = `Bearer ${internal.token.slice(0, -1)}${internal.token.endsWith('A') ? 'B' : 'A'}`;
    for (const path of [...PATHS, '/mcp/unknown', '/healthz']) {
      for (const authorization of [
        undefined,
        wrong,
        `Bearer ${t.tokens[OLIVIA]}`,
        internal.token,
        'Bearer ',
      ]) {
        const response = await post(`${internal.url}${path}`, initialize(), authorization);
        assert.equal(
          response.status,
          401,
          `${path} with ${authorization === undefined ? 'no header' : 'a bad one'}`,
        );
        const body = (await response.json()) as { jsonrpc: string; error: { code: number; message: string } };
        assert.equal(body.jsonrpc, '2.0');
        assert.equal(body.error.code, -32001);
        assert.match(body.error.message, /needs its service token/);
        assert.ok(!body.error.message.includes(internal.token), 'the message never holds the token');
      }
    }
  });

  it('a refused tools/call changes nothing', async () => {
    const internal = internalOf(t);
    const bob = await principalOf(t, BOB);
    const before = (await restIncidents(t, ALICE)).length;
    const response = await post(
      `${internal.url}/mcp/incidents`,
      JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: {
          name: 'open_incident',
          arguments: { title: 'Sneaked in', service: 'search-api', severity: 'sev4' },
          _meta: { [PRINCIPAL_META_KEY]: bob, 'io.modelcontextprotocol/protocolVersion': '2026-07-28' },
        },
      }),
      'Bearer not-the-service-token-at-all',
    );
    assert.equal(response.status, 401);
    assert.equal((await restIncidents(t, ALICE)).length, before);
  });

  for (const era of ERAS) {
    it(`the SDK client (${era} era) cannot connect with a wrong token, and can with the right one`, async () => {
      const internal = internalOf(t);
      await assert.rejects(
        () => connect(internal, 'incidents', era, 'wrong-token-wrong-token-wrong'),
        /401|Unauthorized/,
      );
      const client = await connect(internal, 'incidents', era);
      try {
        const names = (await client.listTools()).tools.map((tool) => tool.name).sort();
        assert.deepEqual(names, [
          'add_note',
          'delete_incident',
          'get_incident',
          'health',
          'list_incidents',
          'list_services',
          'open_incident',
          'set_status',
        ]);
      } finally {
        await client.close();
      }
    });
  }

  it('the public listener does not serve the internal paths, not even with the service token', async () => {
    const internal = internalOf(t);
    assert.notEqual(new URL(t.url).port, new URL(internal.url).port);
    assert.equal(new URL(internal.url).hostname, '127.0.0.1');
    for (const path of PATHS) {
      const response = await post(`${t.url}${path}`, initialize(), `Bearer ${internal.token}`);
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(await response.text(), /jsonrpc/, 'no MCP answer from the public listener');
    }
  });
});

describe('the operations component', () => {
  let t: TestLantern;
  const clients: McpClient[] = [];
  before(async () => {
    t = await startTestLantern(await databases.fresh());
  });
  after(async () => {
    for (const client of clients) await client.close().catch(() => {});
    await t?.close();
  });

  for (const era of ERAS) {
    describe(`${era} era`, () => {
      let ops: McpClient;
      before(async () => {
        ops = await connect(internalOf(t), 'operations', era);
        clients.push(ops);
      });

      it('lists every org with its open incidents, for olivia (operator) only', async () => {
        const olivia = await principalOf(t, OLIVIA);
        const orgs = ok(await call(ops, 'list_orgs', {}, olivia)).orgs as {
          id: string;
          openIncidents: number;
        }[];
        assert.deepEqual(
          orgs.map((o) => o.id),
          ['contoso', 'lantern', 'northwind'],
        );
        const openOf = async (as: string) =>
          (await restIncidents(t, as)).filter((i) => i.status !== 'resolved').length;
        assert.equal(orgs.find((o) => o.id === 'northwind')?.openIncidents, await openOf(ALICE));
        assert.equal(orgs.find((o) => o.id === 'contoso')?.openIncidents, await openOf(DAVE));
        assert.equal(orgs.find((o) => o.id === 'lantern')?.openIncidents, 0);
        const claimsOperator = await principalOf(t, BOB, { roles: ['operator'] });
        for (const [caller, role] of [
          [await principalOf(t, ALICE), 'admin'],
          [claimsOperator, 'responder'],
          [await principalOf(t, DAVE), 'responder'],
        ] as const) {
          toolError(
            await call(ops, 'list_orgs', {}, caller),
            'forbidden',
            new RegExp(`your role \\(${role}\\) does not allow orgs:all`),
          );
        }
      });

      it("only olivia can name another org: contoso's incidents, one incident, its statistics", async () => {
        const olivia = await principalOf(t, OLIVIA);
        const contoso = await restIncidents(t, DAVE);
        const listed = ok(await call(ops, 'org_incidents', { org: 'contoso', limit: 100 }, olivia));
        assert.equal(listed.org, 'contoso');
        assert.deepEqual(
          (listed.incidents as { ref: string }[]).map((i) => i.ref),
          contoso.map((i) => i.ref),
        );
        const first = contoso.at(-1);
        assert.ok(first);
        const one = ok(await call(ops, 'org_incident', { org: 'contoso', ref: first.ref }, olivia));
        assert.deepEqual([one.ref, one.title, one.orgId], [first.ref, first.title, 'contoso']);
        const stats = ok(await call(ops, 'org_incident_stats', { org: 'contoso', days: 30 }, olivia));
        assert.equal(stats.org, 'contoso');
        assertStats(stats, expectedStats(contoso, 30));
        for (const email of [ALICE, DAVE]) {
          const caller = await principalOf(t, email, { roles: ['operator'] });
          toolError(await call(ops, 'org_incidents', { org: 'contoso' }, caller), 'forbidden');
          toolError(await call(ops, 'org_incident', { org: 'northwind', ref: 'INC-1' }, caller), 'forbidden');
        }
      });

      it('bad input: an unknown org, a bad ref, a bad window — clear errors, still serving', async () => {
        const olivia = await principalOf(t, OLIVIA);
        toolError(
          await call(ops, 'org_incidents', { org: 'atlantis' }, olivia),
          'not_found',
          /no organisation "atlantis"/,
        );
        toolError(
          await call(ops, 'org_incident_stats', { org: 'atlantis' }, olivia),
          'not_found',
          /atlantis/,
        );
        toolError(
          await call(ops, 'org_incident', { org: 'contoso', ref: 'ticket-4' }, olivia),
          'invalid',
          /INC-12/,
        );
        toolError(await call(ops, 'org_incident', { org: 'contoso', ref: 'INC-404' }, olivia), 'not_found');
        const window = await call(ops, 'org_incident_stats', { org: 'contoso', days: 0 }, olivia);
        assert.equal(window.isError, true);
        assert.match(window.text, /days/);
        assert.equal((ok(await call(ops, 'list_orgs', {}, olivia)).orgs as unknown[]).length, 3);
      });
    });
  }

  it('alice (admin) cannot reach another org through the incidents component either', async () => {
    const incidents = await connect(internalOf(t), 'incidents', 'modern');
    clients.push(incidents);
    const alice = await principalOf(t, ALICE, { org: 'contoso', roles: ['operator'] });
    // The tool has no org argument: one slipped in is ignored, and the claimed org is too.
    const listed = ok(await call(incidents, 'list_incidents', { limit: 100, org: 'contoso' }, alice));
    const orgs = new Set((listed.incidents as { orgId: string }[]).map((i) => i.orgId));
    assert.deepEqual([...orgs], ['northwind']);
  });
});

describe('components enabled selectively', () => {
  it('serves only the configured components: the others are 404 and their tools nowhere', async () => {
    const lantern = await startLantern({
      database: await databases.fresh(),
      seedPasswords: PASSWORDS,
      logError: () => {},
      internal: { components: ['incidents'] },
    });
    try {
      const internal = lantern.internal;
      assert.ok(internal);
      assert.deepEqual(internal.components, ['incidents']);
      assert.deepEqual(Object.keys(internal.urls), ['incidents']);
      for (const path of ['/mcp/analytics', '/mcp/operations']) {
        const response = await post(`${internal.url}${path}`, initialize(), `Bearer ${internal.token}`);
        assert.equal(response.status, 404, path);
        assert.match(
          ((await response.json()) as { error: { message: string } }).error.message,
          /serves \/mcp\/incidents$/,
        );
      }
      const client = await connect(internal, 'incidents', 'modern');
      try {
        const names = (await client.listTools()).tools.map((tool) => tool.name);
        for (const absent of ['incident_stats', 'query_activity', 'list_orgs', 'org_incidents'])
          assert.ok(!names.includes(absent), `${absent} is not served`);
      } finally {
        await client.close();
      }
    } finally {
      await lantern.close();
    }
  });

  it('refuses an unknown component, no component, or a short token, before listening', async () => {
    const database = await databases.fresh();
    const start = (internal: Parameters<typeof startLantern>[0]['internal']) =>
      startLantern({ database, seedPasswords: PASSWORDS, logError: () => {}, internal });
    await assert.rejects(
      () => start({ components: ['incidents', 'billing'] }),
      /unknown internal MCP component "billing" \(known: incidents, analytics, operations\)/,
    );
    await assert.rejects(() => start({ components: [] }), /at least one component/);
    await assert.rejects(() => start({ token: 'short' }), /at least 24 characters/);
    process.env.GATEHOUSE_CALLER = JSON.stringify({ id: 'local', user: 'someone', roles: ['operator'] });
    try {
      await assert.rejects(() => start({}), /GATEHOUSE_CALLER is set: .* takes the user only from each call/);
    } finally {
      delete process.env.GATEHOUSE_CALLER;
    }
    const disabled = await startLantern({ database, internal: false });
    assert.equal(disabled.internal, undefined);
    await disabled.close();
  });

  it('takes its service token from LANTERN_INTERNAL_TOKEN', async () => {
    const dir = makeTempDir('lantern-int-');
    const token = 'a-configured-service-token-0123456789';
    process.env.LANTERN_INTERNAL_TOKEN = token;
    try {
      const lantern = await startLantern({
        database: join(dir, 'l.db'),
        internal: { components: ['analytics'] },
      });
      try {
        assert.equal(lantern.internal?.token, token);
        assert.equal(lantern.internal?.generatedToken, false);
        const ok200 = await post(`${lantern.internal?.url}/mcp/analytics`, initialize(), `Bearer ${token}`);
        assert.equal(ok200.status, 200);
      } finally {
        await lantern.close();
      }
    } finally {
      delete process.env.LANTERN_INTERNAL_TOKEN;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
