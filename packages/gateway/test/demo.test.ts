/**
 * The newcomer's path, exactly as the README gives it: `./scripts/start.sh` from the repository
 * root starts the sandbox, the gateway and the five domain servers, and prints the MCP URL and
 * one key per demo role. The test reads that output, connects as each role with its key (over
 * the MCP SDK client, as any host would) and calls one tool each; then SIGTERM stops it all.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Client } from '@modelcontextprotocol/client';
import { connectClient, textOf } from './helpers/harness.ts';

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface InspectorOutput {
  result: {
    tools: { name: string }[];
    isError?: boolean;
    content?: { type: string; text?: string }[];
    structuredContent?: unknown;
  };
  schemaFindings?: { toolName: string; findings: { path: string; issue: string }[] }[];
}

interface DemoOutput {
  url: string;
  keys: Record<string, string>;
  tools: Record<string, string[]>;
  text: string;
}

/** Reads stdout until the role list is complete. */
function readDemoOutput(child: ChildProcess, timeoutMs: number): Promise<DemoOutput> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`demo did not finish starting:\n${text}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (!text.includes('Claude Desktop')) return;
      clearTimeout(timer);
      const url = /MCP endpoint\s+(\S+)/.exec(text)?.[1];
      const keys: Record<string, string> = {};
      const tools: Record<string, string[]> = {};
      for (const m of text.matchAll(/^ {2}(\w+)\s+(ghk_\S+)\n\s+\d+ tools: (.*)$/gm)) {
        keys[m[1] as string] = m[2] as string;
        tools[m[1] as string] = (m[3] as string).split(', ');
      }
      if (url === undefined) reject(new Error(`no MCP endpoint in:\n${text}`));
      else resolve({ url, keys, tools, text });
    });
    child.once('exit', (code) => reject(new Error(`demo exited early (${code}):\n${text}`)));
  });
}

describe('the demo from the README (./scripts/start.sh)', () => {
  let child: ChildProcess;
  let demo: DemoOutput;
  let stderr = '';

  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-'));
    child = spawn('bash', ['scripts/start.sh'], {
      cwd: ROOT,
      env: {
        ...process.env,
        GATEHOUSE_PORT: '0',
        GATEHOUSE_SANDBOX_PORT: '0',
        GATEHOUSE_DATA_DIR: dataDir,
        GATEHOUSE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    demo = await readDemoOutput(child, 240_000).catch((error: Error) => {
      throw new Error(`${error.message}\nstderr:\n${stderr.slice(-4000)}`);
    });
  });

  after(async () => {
    if (child?.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('prints the endpoint, a key per role and what each role sees', () => {
    assert.deepEqual(Object.keys(demo.keys).sort(), ['admin', 'finance', 'sales', 'sre', 'support']);
    assert.ok(demo.tools.sales?.includes('customer_find_at_risk_renewals'));
    assert.ok(!demo.tools.sales?.includes('platform_restart_service'), 'sales cannot restart services');
    assert.ok(demo.tools.sre?.includes('platform_restart_service'));
    assert.ok(!demo.tools.sre?.includes('customer_get_invoices'), 'sre sees no invoices');
    assert.ok((demo.tools.admin?.length ?? 0) > (demo.tools.sales?.length ?? 0));
    assert.match(demo.text, /"GATEHOUSE_API_KEY": "ghk_/);
  });

  const calls: [string, string, Record<string, unknown>, RegExp][] = [
    ['sales', 'customer_find_at_risk_renewals', {}, /renewals/i],
    ['support', 'platform_get_service_health', { service: 'checkout-api' }, /checkout-api/],
    ['finance', 'wallet_get_balance', {}, /EUR|USD/],
    ['sre', 'platform_list_recent_deploys', { limit: 3 }, /deploy/i],
    ['admin', 'knowledge_search_docs', { query: 'database failover' }, /ledger-db|failover/i],
  ];
  for (const [role, tool, args, expected] of calls) {
    it(`${role} calls ${tool} with its key`, async () => {
      let client: Client | undefined;
      try {
        client = await connectClient(
          demo.url,
          'legacy',
          undefined,
          {},
          { authorization: `Bearer ${demo.keys[role]}` },
        );
        const result = await client.callTool({ name: tool, arguments: args });
        assert.notEqual(result.isError, true, textOf(result));
        assert.match(textOf(result), expected);
      } finally {
        await client?.close();
      }
    });
  }

  it("the demo's shaping: raw deal and ticket tools come back with the configured fields only", async () => {
    const client = await connectClient(
      demo.url,
      'modern',
      undefined,
      {},
      { authorization: `Bearer ${demo.keys.admin}` },
    );
    try {
      const atRisk = await client.callTool({ name: 'customer_find_at_risk_renewals', arguments: {} });
      const first = (atRisk.structuredContent as { atRisk: { company: string; dealId: string }[] }).atRisk[0];
      assert.ok(first, 'the seeded world has at-risk renewals this quarter');
      const deal = await client.callTool({ name: 'customer_get_deal', arguments: { dealId: first.dealId } });
      const shapedDeal = (deal.structuredContent as { deal: { properties: Record<string, unknown> } }).deal;
      assert.deepEqual(Object.keys(shapedDeal.properties).sort(), [
        'amount',
        'closedate',
        'customer_tier',
        'hubspot_owner_id',
        'name',
        'stage',
      ]);
      assert.deepEqual(JSON.parse(textOf(deal)), deal.structuredContent, 'text and structuredContent agree');
      const tickets = await client.callTool({
        name: 'customer_list_tickets',
        arguments: { company: first.company },
      });
      const shaped = tickets.structuredContent as { tickets: Record<string, unknown>[] };
      assert.ok(shaped.tickets.length > 0);
      for (const ticket of shaped.tickets) {
        assert.ok(
          Object.keys(ticket).every((k) =>
            ['id', 'title', 'state', 'priority', 'created_at', 'updated_at'].includes(k),
          ),
        );
      }
    } finally {
      await client.close();
    }
  });

  /** One MCP Inspector CLI run against the demo with `role`'s key; its parsed stdout and stderr. */
  async function inspectAs(role: string, args: string[]): Promise<{ out: InspectorOutput; stderr: string }> {
    const cli = fileURLToPath(
      import.meta.resolve('@modelcontextprotocol/inspector/clients/cli/build/index.js'),
    );
    const home = mkdtempSync(join(tmpdir(), 'gatehouse-demo-inspector-'));
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json') };
    delete env.NODE_TEST_CONTEXT;
    delete env.NODE_OPTIONS;
    const base = [cli, '--server-url', demo.url, '--transport', 'http'];
    const auth = ['--header', `Authorization: Bearer ${demo.keys[role]}`];
    const argv = [...base, ...auth, '--format', 'json', ...args];
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, argv, { env, timeout: 30_000 });
      return { out: JSON.parse(stdout) as InspectorOutput, stderr };
    } catch (error) {
      // Exit 5: the tool answered with isError (stdout still has the result).
      const failed = error as { code?: unknown; stdout?: string; stderr?: string };
      if (failed.code !== 5 || !failed.stdout) throw error;
      return { out: JSON.parse(failed.stdout) as InspectorOutput, stderr: failed.stderr ?? '' };
    }
  }

  it('the MCP Inspector CLI sends --tool-arg dealId=<digits> as a number; the string id still reaches get_deal', async () => {
    const client = await connectClient(
      demo.url,
      'modern',
      undefined,
      {},
      {
        authorization: `Bearer ${demo.keys.sales}`,
      },
    );
    let dealId: string;
    try {
      const atRisk = await client.callTool({ name: 'customer_find_at_risk_renewals', arguments: {} });
      dealId = (atRisk.structuredContent as { atRisk: { dealId: string }[] }).atRisk[0]?.dealId ?? '';
    } finally {
      await client.close();
    }
    assert.match(dealId, /^\d+$/, 'a numeric HubSpot deal id');
    const { out, stderr } = await inspectAs('sales', [
      '--method',
      'tools/call',
      '--tool-name',
      'customer_get_deal',
      '--tool-arg',
      `dealId=${dealId}`,
    ]);
    assert.notEqual(out.result.isError, true, `${JSON.stringify(out.result)}\n${stderr}`);
    assert.equal((out.result.structuredContent as { deal?: { id?: string } }).deal?.id, dealId);
  });

  it('a refused argument is reported under the name the caller called (knowledge_search_docs)', async () => {
    const { out } = await inspectAs('sales', [
      '--method',
      'tools/call',
      '--tool-name',
      'knowledge_search_docs',
      '--tool-arg',
      'query=failover',
      '--tool-arg',
      'limit=99',
    ]);
    assert.equal(out.result.isError, true);
    const text = out.result.content?.[0]?.text ?? '';
    assert.match(text, /Invalid arguments for tool knowledge_search_docs: limit: /, text);
    assert.doesNotMatch(text, /tool search_docs/, text);
  });

  it('the MCP Inspector CLI with the printed sales key lists exactly what the demo printed for sales', async () => {
    const { out } = await inspectAs('sales', ['--method', 'tools/list']);
    const listed = out.result.tools.map((t) => t.name);
    assert.deepEqual(listed.sort(), [...(demo.tools.sales ?? [])].sort());
  });

  it('the MCP Inspector CLI finds no schema-portability problem in the tools of any role', async () => {
    for (const role of Object.keys(demo.keys)) {
      const { out, stderr } = await inspectAs(role, ['--method', 'tools/list', '--strict']);
      assert.ok(out.result.tools.length > 0, `${role} sees tools`);
      assert.deepEqual(
        out.schemaFindings ?? [],
        [],
        `${role}: ${JSON.stringify(out.schemaFindings, null, 2)}`,
      );
      assert.doesNotMatch(stderr, /Schema portability|Warning: tool/, `${role}: ${stderr}`);
    }
  });

  it('a role cannot call what it cannot see', async () => {
    const client = await connectClient(
      demo.url,
      'modern',
      undefined,
      {},
      {
        authorization: `Bearer ${demo.keys.sales}`,
      },
    );
    try {
      await assert.rejects(
        client.callTool({
          name: 'platform_restart_service',
          arguments: { service: 'checkout-api', reason: 'x' },
        }),
        /Unknown tool/,
      );
    } finally {
      await client.close();
    }
  });
});
