/**
 * Tool search through the front door: a role in search mode is listed its core tools plus
 * `search_tools` and `call_tool`; a search finds only tools the caller may see, with their
 * definitions as listed; `call_tool` runs the real tool through policy, rate limits, in-band
 * approval and the audit, which all see the real tool; a hidden name is as unknown through
 * `call_tool` as when called by name; bad meta-tool arguments get -32602, audited. Both eras.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { SqliteAuditStore } from '../src/audit/sqlite-store.ts';
import { ApiKeyStore } from '../src/auth/api-keys.ts';
import {
  type ClientEra,
  connectClient,
  errorOf,
  fixtureUpstreamYaml,
  modelFromYaml,
  startGateway,
  stdioUpstreamYaml,
  type TestGateway,
  tempStorage,
  textOf,
  toolFailure,
} from './helpers/harness.ts';
import { MODERN_ENVELOPE } from './helpers/raw-http.ts';

const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));
const SHAPING_SERVER = fileURLToPath(new URL('./fixtures/shaping-server.ts', import.meta.url));

const CONFIG = `auth:
  apiKeys: true
approvals:
  mode: auto
policy:
  groups:
    work:
      allow:
        - tools: ["alpha_*"]
        - tools: [beta_echo]
          when: ['message != "big"']
        - tools: [beta_echo]
          when: ['message == "big"']
          approval: in-band
      deny:
        - tools: [alpha_pid]
    everything-alpha:
      allow: [{ tools: ["alpha_*"] }]
  roles:
    finder: { groups: [work] }
    seer: { groups: [everything-alpha] }
    lister: { groups: [everything-alpha] }
rateLimits:
  rules:
    - name: quota-once
      per: [principal]
      tools: [alpha_quota]
      limit: 1
      windowSec: 600
toolSearch:
  limit: 3
  roles:
    finder: { core: [alpha_echo, beta_*] }
    seer: { core: [] }
`;

type SearchResult = { tools: { name: string; description?: string; inputSchema?: unknown }[] };

function found(result: unknown): SearchResult {
  const structured = (result as { structuredContent?: SearchResult }).structuredContent;
  assert.ok(structured, `expected a search result, got ${JSON.stringify(result).slice(0, 300)}`);
  assert.deepEqual(
    JSON.parse(textOf(result as { content?: unknown })),
    structured,
    'text and structure agree',
  );
  return structured;
}

describe('tool search', () => {
  let gw: TestGateway;
  let storage: string;
  const keys: Record<string, string> = {};

  before(async () => {
    storage = tempStorage();
    const yaml = `upstreams:
${fixtureUpstreamYaml('alpha', { FIXTURE_TOOLS: 'quota' })}
${fixtureUpstreamYaml('beta')}
${CONFIG}storage: { path: ${JSON.stringify(storage)} }
`;
    const store = new ApiKeyStore(storage);
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
    const store = new SqliteAuditStore({ path: storage });
    await store.init();
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

  it('works over stdio: the listed meta-tools, a search and a call_tool, audited as the real tool', async () => {
    const stdioStorage = tempStorage();
    const file = `${stdioStorage}.yaml`;
    const yaml = `upstreams:\n${fixtureUpstreamYaml('alpha')}\n${fixtureUpstreamYaml('beta')}\n${CONFIG.replace(
      'apiKeys: true',
      'apiKeys: true\n  stdio: { user: stella, roles: [finder] }',
    )}storage: { path: ${JSON.stringify(stdioStorage)} }\n`;
    writeFileSync(file, yaml);
    const client = new Client({ name: 'tool-search-stdio', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'stdio', '--config', file],
        env: { PATH: process.env.PATH ?? '' },
        stderr: 'ignore',
      }),
    );
    try {
      assert.deepEqual(
        (await client.listTools()).tools.map((t) => t.name),
        ['alpha_echo', 'beta_echo', 'search_tools', 'call_tool'],
      );
      const hits = found(await client.callTool({ name: 'search_tools', arguments: { query: 'progress' } }));
      assert.equal(hits.tools[0]?.name, 'alpha_slow_progress');
      const result = await client.callTool({
        name: 'call_tool',
        arguments: { name: 'alpha_slow_progress', arguments: { stepMs: 0 } },
      });
      assert.equal(textOf(result), 'done');
    } finally {
      await client.close();
    }
    const store = new SqliteAuditStore({ path: stdioStorage });
    await store.init();
    try {
      const [call] = await store.query({
        principal: 'stella',
        method: 'tools/call',
        status: 'ok',
        target: 'alpha_*',
      });
      assert.equal(call?.target, 'alpha_slow_progress');
      assert.equal(call?.transport, 'stdio');
    } finally {
      await store.close();
    }
  });
});

describe('tool search and shaping', () => {
  let gw: TestGateway;

  before(async () => {
    gw = await startGateway(`upstreams:
${stdioUpstreamYaml('crm', SHAPING_SERVER, { SHAPING_FIXTURE: 'crm' }, '    shaping:\n      - tools: [get_deal]\n        pick: [id, name]\n')}
auth:
  anonymous: { roles: [seeker] }
policy:
  groups:
    crm: { allow: [{ tools: ["crm_*"] }] }
  roles:
    seeker: { groups: [crm] }
toolSearch:
  roles:
    seeker: {}
`);
  });

  after(async () => {
    await gw?.close();
  });

  for (const era of ['legacy', 'modern'] as const) {
    it(`finds the shaped definition and shapes the result of a call_tool (${era})`, async () => {
      const client = await connectClient(gw.url, era);
      try {
        assert.deepEqual(
          (await client.listTools()).tools.map((t) => t.name),
          ['search_tools', 'call_tool'],
        );
        const hits = found(
          await client.callTool({ name: 'search_tools', arguments: { query: 'get a deal' } }),
        );
        const deal = hits.tools.find((t) => t.name === 'crm_get_deal') as {
          outputSchema?: { properties?: object };
        };
        assert.deepEqual(
          Object.keys(deal?.outputSchema?.properties ?? {}),
          ['id', 'name'],
          'the shaped schema',
        );
        const result = await client.callTool({
          name: 'call_tool',
          arguments: { name: 'crm_get_deal', arguments: { id: 'D-7' } },
        });
        assert.deepEqual(Object.keys(result.structuredContent ?? {}), ['id', 'name']);
      } finally {
        await client.close();
      }
    });
  }
});

describe('tool search and reload', () => {
  it('a reload puts a role in search mode and takes it out again, without a restart', async () => {
    const storage = tempStorage();
    const config = (search: boolean) => `upstreams:
${fixtureUpstreamYaml('alpha')}
auth:
  anonymous: { roles: [seeker] }
policy:
  groups:
    all: { allow: [{ tools: ["alpha_*"] }] }
  roles:
    seeker: { groups: [all] }
${search ? 'toolSearch:\n  roles:\n    seeker: { core: [alpha_echo] }\n' : ''}storage: { path: ${JSON.stringify(storage)} }
`;
    const gw = await startGateway(config(false));
    try {
      const names = async () => {
        const client = await connectClient(gw.url, 'modern');
        try {
          return (await client.listTools()).tools.map((t) => t.name);
        } finally {
          await client.close();
        }
      };
      assert.ok((await names()).includes('alpha_pid'));
      const reload = (search: boolean) => {
        const model = modelFromYaml(config(search));
        model.server.port = 0; // as the harness started it
        return gw.gateway.reload(model);
      };
      const reloaded = await reload(true);
      assert.equal(reloaded.ok, true, JSON.stringify(reloaded));
      assert.deepEqual(await names(), ['alpha_echo', 'search_tools', 'call_tool']);
      assert.equal((await reload(false)).ok, true);
      assert.ok((await names()).includes('alpha_pid'));
    } finally {
      await gw.close();
    }
  });
});
