/**
 * Tool search through the front door: a role in search mode is listed its core tools plus
 * `search_tools` and `call_tool`; a search finds only tools the caller may see, with their
 * definitions as listed; `call_tool` runs the real tool through policy, rate limits, in-band
 * approval and the audit, which all see the real tool; a hidden name is as unknown through
 * `call_tool` as when called by name; bad meta-tool arguments get -32602, audited. Both eras.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NOTHING_FOUND } from '@gatehouse/tool-search';
import type { Client } from '@modelcontextprotocol/client';
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
  toolFailure,
} from './helpers/harness.ts';
import { MODERN_ENVELOPE } from './helpers/raw-http.ts';
import { found, SEARCH_CONFIG } from './helpers/tool-search.ts';

describe('tool search', () => {
  let gw: TestGateway;
  let storage: string;
  const keys: Record<string, string> = {};

  before(async () => {
    storage = tempStorage();
    const yaml = `upstreams:
${fixtureUpstreamYaml('alpha', { FIXTURE_TOOLS: 'quota' })}
${fixtureUpstreamYaml('beta')}
${SEARCH_CONFIG}storage: { path: ${JSON.stringify(storage)} }
`;
    const store = new SqliteApiKeys(storage);
    for (const era of ['legacy', 'modern']) {
      keys[`finder-${era}`] = store.create({ user: `finn-${era}`, roles: ['finder'] }).key;
    }
    keys.seer = store.create({ user: 'sia', roles: ['seer'] }).key;
    keys.lister = store.create({ user: 'lee', roles: ['lister'] }).key;
    store.close();
    gw = await startGateway(yaml);
  });

  after(async () => {
    await gw?.close();
  });

  function as(
    who: string,
    era: ClientEra,
    answer?: (message: string) => Record<string, unknown>,
    asked: string[] = [],
  ): Promise<Client> {
    const setup = answer
      ? (c: Client) =>
          c.setRequestHandler('elicitation/create', async (request) => {
            const message = String((request.params as { message?: string }).message);
            asked.push(message);
            return answer(message) as never;
          })
      : undefined;
    const capabilities = answer ? { capabilities: { elicitation: { form: {} } } } : {};
    return connectClient(gw.url, era, setup, capabilities, { authorization: `Bearer ${keys[who]}` });
  }

  async function auditRecords() {
    const store = await openCommittedAudit(storage);
    try {
      return await store.query({ limit: 10_000 });
    } finally {
      await store.close();
    }
  }

  for (const era of ['legacy', 'modern'] as const) {
    const finder = `finder-${era}`;

    it(`lists a search-mode role its core tools and the two meta-tools; others their whole list (${era})`, async () => {
      const finn = await as(finder, era);
      const lee = await as('lister', era);
      try {
        assert.deepEqual(
          (await finn.listTools()).tools.map((t) => t.name),
          ['alpha_echo', 'beta_echo', 'search_tools', 'call_tool'],
        );
        const all = (await lee.listTools()).tools.map((t) => t.name);
        assert.ok(all.includes('alpha_pid') && all.length > 4, all.join());
        assert.ok(!all.includes('search_tools'));
      } finally {
        await finn.close();
        await lee.close();
      }
    });

    it(`says when nothing matched, and what to try, after the empty list (${era})`, async () => {
      const finn = await as(finder, era);
      try {
        const result = await finn.callTool({ name: 'search_tools', arguments: { query: 'zyzzyva quokka' } });
        assert.deepEqual(result.structuredContent, { tools: [], note: NOTHING_FOUND });
        assert.deepEqual(result.content, [
          { type: 'text', text: JSON.stringify({ tools: [], note: NOTHING_FOUND }) },
        ]);
        assert.notEqual(result.isError, true);
      } finally {
        await finn.close();
      }
    });

    it(`finds only tools the caller may see, with their definitions as listed to it (${era})`, async () => {
      const finn = await as(finder, era);
      const sia = await as('seer', era);
      const lee = await as('lister', era);
      try {
        const listed = new Map((await lee.listTools()).tools.map((t) => [t.name, t]));
        // The same question: the role that may see alpha_pid finds it first, the one that may not never does.
        const question = { query: 'which process id does this server run as' };
        const seen = found(await sia.callTool({ name: 'search_tools', arguments: question }));
        assert.equal(seen.tools[0]?.name, 'alpha_pid');
        assert.deepEqual(seen.tools[0], listed.get('alpha_pid'));
        const hidden = found(await finn.callTool({ name: 'search_tools', arguments: question }));
        assert.ok(!hidden.tools.some((t) => t.name === 'alpha_pid'), JSON.stringify(hidden));
        const slow = found(
          await finn.callTool({ name: 'search_tools', arguments: { query: 'report progress slowly' } }),
        );
        assert.equal(slow.tools[0]?.name, 'alpha_slow_progress');
        assert.deepEqual(slow.tools[0], listed.get('alpha_slow_progress'));
        assert.ok(slow.tools.length <= 3, 'at most toolSearch.limit tools');
      } finally {
        await finn.close();
        await sia.close();
        await lee.close();
      }
    });

    it(`runs the real tool through call_tool, and by its real name; the audit names the real tool (${era})`, async () => {
      const finn = await as(finder, era);
      try {
        const viaMeta = await finn.callTool({
          name: 'call_tool',
          arguments: { name: 'alpha_echo', arguments: { message: `via ${era}` } },
        });
        assert.equal(textOf(viaMeta), `alpha: via ${era}`);
        // A tool outside the core is still callable by name by a caller allowed to use it.
        assert.equal(
          textOf(await finn.callTool({ name: 'alpha_slow_progress', arguments: { stepMs: 0 } })),
          'done',
        );
      } finally {
        await finn.close();
      }
      const records = await auditRecords();
      const call = records.find(
        (r) =>
          r.principal?.user === `finn-${era}` &&
          r.arguments !== null &&
          JSON.stringify(r.arguments).includes(`via ${era}`),
      );
      assert.ok(call, 'the call is audited');
      assert.equal(call.target, 'alpha_echo');
      assert.equal(call.upstream, 'alpha');
      assert.equal(call.decision, 'allow');
      assert.deepEqual(call.arguments, { message: `via ${era}` });
      assert.ok(!records.some((r) => r.target === 'call_tool' && r.status === 'ok'), 'never the meta-tool');
    });

    it(`answers call_tool of a hidden tool exactly as of an unknown one, and as a direct call does (${era})`, async () => {
      const finn = await as(finder, era);
      try {
        const hidden = await errorOf(
          finn.callTool({ name: 'call_tool', arguments: { name: 'alpha_pid', arguments: {} } }),
        );
        const unknown = await errorOf(
          finn.callTool({ name: 'call_tool', arguments: { name: 'alpha_nope', arguments: {} } }),
        );
        const direct = await errorOf(finn.callTool({ name: 'alpha_pid', arguments: {} }));
        assert.equal(hidden.code, -32602);
        assert.deepEqual(
          JSON.parse(JSON.stringify(hidden).replaceAll('alpha_pid', 'X')),
          JSON.parse(JSON.stringify(unknown).replaceAll('alpha_nope', 'X')),
        );
        assert.deepEqual(hidden, direct);
      } finally {
        await finn.close();
      }
    });

    it(`asks in band for a call_tool that needs approval, and policy reads the real arguments (${era})`, async () => {
      const asked: string[] = [];
      const finn = await as(finder, era, () => ({ action: 'accept', content: { approve: true } }), asked);
      try {
        const small = await finn.callTool({
          name: 'call_tool',
          arguments: { name: 'beta_echo', arguments: { message: 'small' } },
        });
        assert.equal(textOf(small), 'beta: small');
        assert.equal(asked.length, 0);
        const big = await finn.callTool({
          name: 'call_tool',
          arguments: { name: 'beta_echo', arguments: { message: 'big' } },
        });
        assert.equal(textOf(big), 'beta: big');
        assert.equal(asked.length, 1);
        assert.match(asked[0] ?? '', /beta_echo/);
        assert.doesNotMatch(asked[0] ?? '', /call_tool/);
      } finally {
        await finn.close();
      }
      const approved = (await auditRecords()).find(
        (r) => r.principal?.user === `finn-${era}` && r.approvedBy !== null,
      );
      assert.equal(approved?.target, 'beta_echo');
      assert.equal(approved?.approvedBy, `finn-${era} (in-band)`);
    });

    it(`counts a call_tool against the real tool's rate limit (${era})`, async () => {
      const finn = await as(finder, era);
      try {
        const call = () =>
          finn.callTool({ name: 'call_tool', arguments: { name: 'alpha_quota', arguments: {} } });
        assert.equal(textOf(await call()), 'quota');
        const limited = await toolFailure(call());
        assert.equal(limited.code, -32057, JSON.stringify(limited));
        assert.match(limited.message ?? '', /Rate limit "quota-once" exceeded/);
      } finally {
        await finn.close();
      }
    });

    it(`refuses bad meta-tool arguments with -32602 and one clear sentence, audited (${era})`, async () => {
      const finn = await as(finder, era);
      const cases: [Record<string, unknown>, RegExp][] = [
        [
          { name: 'search_tools', arguments: {} },
          /^search_tools: "query" must be a non-empty string .*, got nothing$/,
        ],
        [
          { name: 'search_tools', arguments: { query: '   ' } },
          /^search_tools: "query" must be a non-empty string/,
        ],
        [
          { name: 'search_tools', arguments: { query: 'x'.repeat(1_001) } },
          /^search_tools: "query" is 1001 characters long; at most 1000 are accepted$/,
        ],
        [
          { name: 'call_tool', arguments: { arguments: {} } },
          /^call_tool: "name" must be the name of a tool, got nothing$/,
        ],
        [
          { name: 'call_tool', arguments: { name: 'alpha_echo', arguments: 'message=hi' } },
          /^call_tool: "arguments" must be an object of the tool's arguments, got a string$/,
        ],
        [{ name: 'call_tool', arguments: { name: 'alpha_echo', arguments: [1] } }, /got an array$/],
      ];
      try {
        for (const [params, message] of cases) {
          const error = await errorOf(finn.callTool(params as never));
          assert.equal(error.code, -32602, JSON.stringify(error));
          assert.match((error.message ?? '').replace(/^MCP error -32602: /, ''), message);
        }
        // The gateway keeps serving the same client.
        assert.equal((await finn.listTools()).tools.length, 4);
      } finally {
        await finn.close();
      }
      const refused = (await auditRecords()).filter(
        (r) =>
          r.principal?.user === `finn-${era}` &&
          r.errorCode === -32602 &&
          ['search_tools', 'call_tool'].includes(r.target ?? ''),
      );
      assert.equal(refused.length, cases.length);
      assert.ok(refused.some((r) => /at most 1000/.test(r.errorMessage ?? '')));
    });
  }

  it('answers call_tool of a hidden and of an unknown name with the same bytes but the name, on the call lane', async () => {
    // The call lane serves these plain 2026-07-28 calls without building an SDK server: count them.
    let serversBuilt = 0;
    const build = gw.gateway.createServer.bind(gw.gateway);
    gw.gateway.createServer = (origin) => {
      serversBuilt += 1;
      return build(origin);
    };
    const raw = async (name: string, args: Record<string, unknown> = {}): Promise<string> => {
      const response = await fetch(gw.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${keys['finder-modern']}`,
          'mcp-protocol-version': '2026-07-28',
          'mcp-method': 'tools/call',
          'mcp-name': 'call_tool',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: { name: 'call_tool', arguments: { name, arguments: args }, _meta: MODERN_ENVELOPE },
        }),
      });
      return `${response.status} ${response.headers.get('content-type')}\n${await response.text()}`;
    };
    const hidden = await raw('alpha_pid');
    const unknown = await raw('alpha_xyz');
    assert.match(hidden, /Unknown tool: alpha_pid/);
    assert.equal(hidden.replaceAll('alpha_pid', 'NAME'), unknown.replaceAll('alpha_xyz', 'NAME'));
    const echoed = await raw('alpha_echo', { message: 'on the lane' });
    assert.match(echoed, /^200 application\/json\n.*"text":"alpha: on the lane"/);
    assert.equal(serversBuilt, 0, 'the call lane answered, through the same pipeline');
    gw.gateway.createServer = build;
  });

  it('answers search_tools and call_tool as unknown tools to a caller not in search mode', async () => {
    const lee = await as('lister', 'modern');
    try {
      const error = await errorOf(lee.callTool({ name: 'search_tools', arguments: { query: 'echo' } }));
      assert.equal(error.code, -32602);
      assert.match(error.message ?? '', /Unknown tool: search_tools/);
      const call = await errorOf(
        lee.callTool({ name: 'call_tool', arguments: { name: 'alpha_echo', arguments: {} } }),
      );
      assert.match(call.message ?? '', /Unknown tool: call_tool/);
    } finally {
      await lee.close();
    }
  });
});
