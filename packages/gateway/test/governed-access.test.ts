/**
 * Governed access through the front door: API keys, roles that see exactly their tools,
 * hidden targets answered exactly like missing ones, conditions on arguments, injected identity,
 * sessions bound to their principal, and every request — denials included — in a verifiable
 * audit log. Two real stdio upstreams (alpha, beta), clients of both eras.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import { verifyChain } from '../src/audit/verify.ts';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { openCommittedAudit } from './helpers/audit-reader.ts';
import {
  type ClientEra,
  connectClient,
  errorOf,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  tempStorage,
  textOf,
} from './helpers/harness.ts';

const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));

const POLICY = `auth:
  apiKeys: true
  stdio: { user: local, roles: [support] }
policy:
  groups:
    alpha-work:
      allow:
        - tools: ["alpha_*"]
        - resources: ["fixture://alpha/*"]
        - prompts: ["alpha_*"]
      deny:
        - tools: [alpha_pid]
    beta-talk:
      allow:
        - tools: [beta_echo]
          when: ['message in ["hi", "hello"]']
        - prompts: [beta_greet]
  roles:
    sales: { groups: [alpha-work] }
    support: { groups: [beta-talk] }
`;

describe('governed access', () => {
  let gw: TestGateway;
  let storage: string;
  let configFile: string;
  const keys: Record<string, string> = {};

  before(async () => {
    storage = tempStorage();
    const injection = `    inject:\n      - tools: [echo]\n        arguments: { message: user }\n`;
    const yaml = `upstreams:
${fixtureUpstreamYaml('alpha', {}, injection)}
${fixtureUpstreamYaml('beta')}
${POLICY}
storage: { path: ${JSON.stringify(storage)} }
`;
    configFile = `${storage}.yaml`;
    writeFileSync(configFile, yaml);
    const store = new SqliteApiKeys(storage);
    keys.alice = store.create({ user: 'alice', org: 'acme', roles: ['sales'] }).key;
    keys.sam = store.create({ user: 'sam', org: 'acme', roles: ['support'] }).key;
    const revoked = store.create({ user: 'eve', roles: ['sales'] });
    store.revoke(revoked.info.id);
    keys.eve = revoked.key;
    store.close();
    gw = await startGateway(yaml);
  });

  after(async () => {
    await gw?.close();
  });

  function as(user: string, era: ClientEra = 'legacy'): Promise<Client> {
    return connectClient(gw.url, era, undefined, {}, { authorization: `Bearer ${keys[user]}` });
  }

  it('answers 401 with a Bearer challenge without credentials, and for a revoked or made-up key', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    for (const authorization of [
      undefined,
      `Bearer ${keys.eve}`,
      'Bearer ghk_AAAAAAAAAAAA_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    ]) {
      const response = await fetch(gw.url, {
        method: 'POST',
        headers: authorization ? { ...headers, authorization } : headers,
        body,
      });
      assert.equal(response.status, 401, String(authorization));
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer /);
      await response.body?.cancel();
    }
  });

  for (const era of ['legacy', 'modern'] as const) {
    it(`shows each role exactly its tools, prompts and resources (${era})`, async () => {
      const alice = await as('alice', era);
      const sam = await as('sam', era);
      try {
        assert.deepEqual((await alice.listTools()).tools.map((t) => t.name).sort(), [
          'alpha_add_tool',
          'alpha_ask',
          'alpha_echo',
          'alpha_slow_progress',
        ]);
        assert.deepEqual(
          (await sam.listTools()).tools.map((t) => t.name),
          ['beta_echo'],
        );
        assert.deepEqual(
          (await alice.listPrompts()).prompts.map((p) => p.name),
          ['alpha_greet'],
        );
        assert.deepEqual(
          (await sam.listPrompts()).prompts.map((p) => p.name),
          ['beta_greet'],
        );
        assert.deepEqual(
          (await alice.listResources()).resources.map((r) => r.uri),
          ['fixture://alpha/readme'],
        );
        assert.deepEqual((await sam.listResources()).resources, []);
        assert.deepEqual(
          (await alice.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate),
          ['fixture://alpha/items/{id}'],
        );
      } finally {
        await alice.close();
        await sam.close();
      }
    });
  }

  it('answers every probe for a hidden target exactly like a name that does not exist', async () => {
    const alice = await as('alice');
    try {
      const missingTool = await errorOf(alice.callTool({ name: 'no_such_tool', arguments: {} }));
      const probes = [
        'beta_echo',
        'alpha_pid',
        'ALPHA_ECHO',
        'аlpha_echo',
        'alpha.echo',
        'alpha-echo',
        'beta_pid',
      ];
      for (const name of probes) {
        const error = await errorOf(alice.callTool({ name, arguments: {} }));
        assert.deepEqual(
          { ...error, message: error.message?.replace(name, 'X') },
          { ...missingTool, message: missingTool.message?.replace('no_such_tool', 'X') },
          name,
        );
      }
      const missingPrompt = await errorOf(
        alice.getPrompt({ name: 'no_such_prompt', arguments: { who: 'x' } }),
      );
      const hiddenPrompt = await errorOf(alice.getPrompt({ name: 'beta_greet', arguments: { who: 'x' } }));
      assert.deepEqual(
        { ...hiddenPrompt, message: hiddenPrompt.message?.replace('beta_greet', 'X') },
        { ...missingPrompt, message: missingPrompt.message?.replace('no_such_prompt', 'X') },
      );
      for (const uri of ['fixture://beta/readme', 'fixture://beta/items/7']) {
        const hidden = await errorOf(alice.readResource({ uri }));
        const missing = await errorOf(alice.readResource({ uri: 'fixture://nowhere/x' }));
        assert.equal(hidden.code, missing.code, uri);
        assert.deepEqual(hidden.data, { uri }, uri);
        assert.equal(hidden.message?.replace(uri, 'X'), missing.message?.replace('fixture://nowhere/x', 'X'));
      }
      const hiddenCompletion = await errorOf(
        alice.complete({
          ref: { type: 'ref/prompt', name: 'beta_greet' },
          argument: { name: 'who', value: '' },
        }),
      );
      const missingCompletion = await errorOf(
        alice.complete({ ref: { type: 'ref/prompt', name: 'nope' }, argument: { name: 'who', value: '' } }),
      );
      assert.equal(hiddenCompletion.code, missingCompletion.code);
      // What alice may use still works.
      assert.match(
        textOf(
          await alice.readResource({ uri: 'fixture://alpha/items/7' }).then((r) => ({
            content: r.contents.map((c) => ({ type: 'text', text: 'text' in c ? c.text : '' })),
          })),
        ),
        /7/,
      );
    } finally {
      await alice.close();
    }
  });

  it('allows a conditional tool only with arguments that meet the rule', async () => {
    const sam = await as('sam', 'modern');
    try {
      assert.equal(
        textOf(await sam.callTool({ name: 'beta_echo', arguments: { message: 'hi' } })),
        'beta: hi',
      );
      const denied = await errorOf(
        sam.callTool({ name: 'beta_echo', arguments: { message: 'transfer all' } }),
      );
      assert.equal(denied.code, -32054);
      assert.match(denied.message ?? '', /group:beta-talk\/allow\[0\]/);
    } finally {
      await sam.close();
    }
  });

  it('fills injected arguments from the principal and hides them from the model', async () => {
    const alice = await as('alice');
    try {
      const echo = (await alice.listTools()).tools.find((t) => t.name === 'alpha_echo');
      assert.ok(echo);
      assert.equal(
        'message' in ((echo.inputSchema.properties ?? {}) as object),
        false,
        'hidden from the schema',
      );
      const result = await alice.callTool({ name: 'alpha_echo', arguments: { message: 'I am the CEO' } });
      assert.equal(textOf(result), 'alpha: alice', 'the forged value never reached the upstream');
    } finally {
      await alice.close();
    }
  });

  it("refuses another principal's 2025-era session as unknown", async () => {
    const alice = await as('alice');
    try {
      const sessionId = (alice.transport as { sessionId?: string }).sessionId;
      assert.ok(sessionId);
      const response = await fetch(gw.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${keys.sam}`,
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
      });
      assert.equal(response.status, 404);
      await response.body?.cancel();
    } finally {
      await alice.close();
    }
  });

  it('audits every request, denials included, on a chain that verifies — and breaks when a row is altered', async () => {
    const sam = await as('sam');
    await errorOf(sam.callTool({ name: 'alpha_echo', arguments: { message: 'x' } })); // hidden
    await sam.close();
    const store = await openCommittedAudit(storage);
    try {
      const denials = await store.query({ principal: 'sam', status: 'denied' });
      const hidden = denials.find((r) => r.target === 'alpha_echo');
      assert.ok(hidden, 'the hidden-tool probe is audited');
      assert.equal(hidden.decision, 'deny');
      assert.equal(hidden.principal?.user, 'sam');
      const conditional = denials.find((r) => r.target === 'beta_echo');
      assert.match(conditional?.rule ?? '', /beta-talk/);
      const lists = await store.query({ principal: 'alice', method: 'tools/list' });
      assert.ok(lists.length > 0, 'lists are audited too');
      const calls = await store.query({ principal: 'alice', method: 'tools/call', status: 'ok' });
      assert.ok(calls.some((r) => r.resultHash !== null && r.resultBytes !== null));
      assert.equal((await verifyChain(store)).ok, true);
    } finally {
      await store.close();
    }
    const intact = spawnSync(process.execPath, [BIN, 'audit', 'verify', '--config', configFile], {
      encoding: 'utf8',
    });
    assert.equal(intact.status, 0, intact.stderr);
    assert.match(intact.stdout, /intact/);
    const db = new DatabaseSync(storage);
    // A record of a request that reached the pipeline (refusals before it name no principal).
    const row = db
      .prepare("SELECT seq FROM audit_log WHERE event LIKE '%alice%' ORDER BY seq LIMIT 1 OFFSET 1")
      .get() as {
      seq: number;
    };
    db.prepare("UPDATE audit_log SET event = replace(event, 'sam', 'bob') WHERE seq = ?").run(row.seq);
    db.prepare("UPDATE audit_log SET event = replace(event, 'alice', 'mallory') WHERE seq = ?").run(row.seq);
    db.close();
    const broken = spawnSync(process.execPath, [BIN, 'audit', 'verify', '--config', configFile], {
      encoding: 'utf8',
    });
    assert.equal(broken.status, 1, broken.stdout + broken.stderr);
    assert.match(broken.stdout, new RegExp(`#${row.seq}\\b`));
  });
});
