/**
 * Tool search beyond one HTTP gateway: over stdio (`gatehouse stdio`), with shaped tools (the
 * shaped definition is found, and a result through call_tool is shaped), and across a config
 * reload that puts a role in search mode and takes it out again.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { openCommittedAudit } from './helpers/audit-reader.ts';
import {
  connectClient,
  fixtureUpstreamYaml,
  modelFromYaml,
  startGateway,
  stdioUpstreamYaml,
  type TestGateway,
  tempStorage,
  textOf,
} from './helpers/harness.ts';
import { found, SEARCH_CONFIG } from './helpers/tool-search.ts';

const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));
const SHAPING_SERVER = fileURLToPath(new URL('./fixtures/shaping-server.ts', import.meta.url));

describe('tool search over stdio', () => {
  it('works over stdio: the listed meta-tools, a search and a call_tool, audited as the real tool', async () => {
    const stdioStorage = tempStorage();
    const file = `${stdioStorage}.yaml`;
    const yaml = `upstreams:\n${fixtureUpstreamYaml('alpha')}\n${fixtureUpstreamYaml('beta')}\n${SEARCH_CONFIG.replace(
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
    const store = await openCommittedAudit(stdioStorage);
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
