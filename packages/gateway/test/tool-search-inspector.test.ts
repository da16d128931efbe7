/**
 * Tool search with another host: the official MCP Inspector CLI (a root devDependency), in both
 * protocol eras, is listed the core and the meta-tools, searches, and runs the real tool through
 * `call_tool` — a host that knows nothing of search mode uses it as two ordinary tools.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { fixtureUpstreamYaml, startGateway, type TestGateway } from './helpers/harness.ts';

const INSPECTOR_CLI = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/inspector/clients/cli/build/index.js'),
);

interface CliResult {
  tools?: { name: string }[];
  content?: { type: string; text?: string }[];
  structuredContent?: { tools?: { name: string }[] };
  isError?: boolean;
}

describe('tool search through the MCP Inspector CLI', () => {
  let gw: TestGateway;
  let home: string;

  before(async () => {
    home = makeTempDir('gatehouse-inspector-search-');
    gw = await startGateway(`upstreams:
${fixtureUpstreamYaml('alpha')}
auth:
  anonymous: { roles: [seeker] }
policy:
  groups:
    all: { allow: [{ tools: ["alpha_*"] }], deny: [{ tools: [alpha_pid] }] }
  roles:
    seeker: { groups: [all] }
toolSearch:
  roles:
    seeker: { core: [alpha_echo] }
`);
  });

  after(async () => {
    await gw?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  function inspect(era: 'legacy' | 'modern', args: string[]): Promise<CliResult> {
    const argv = [INSPECTOR_CLI, '--server-url', gw.url, '--transport', 'http', '--protocol-era', era];
    argv.push('--format', 'json', '--connect-timeout', '10000', ...args);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      MCP_CATALOG_PATH: join(home, 'mcp.json'),
      MCP_CLIENT_CONFIG_PATH: join(home, 'client.json'),
    };
    delete env.NODE_TEST_CONTEXT;
    delete env.NODE_OPTIONS;
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        argv,
        { env, timeout: 20_000, killSignal: 'SIGKILL' },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`${argv.slice(1).join(' ')}: ${error.code}\n${stdout}\n${stderr}`));
          else resolve((JSON.parse(stdout) as { result: CliResult }).result);
        },
      );
    });
  }

  for (const era of ['legacy', 'modern'] as const) {
    it(`lists, searches and calls through call_tool (${era})`, async () => {
      const listed = await inspect(era, ['--method', 'tools/list']);
      assert.deepEqual(
        (listed.tools ?? []).map((t) => t.name),
        ['alpha_echo', 'search_tools', 'call_tool'],
      );
      const searched = await inspect(era, [
        '--method',
        'tools/call',
        '--tool-name',
        'search_tools',
        '--tool-arg',
        'query=report progress',
      ]);
      assert.equal(searched.structuredContent?.tools?.[0]?.name, 'alpha_slow_progress');
      const called = await inspect(era, [
        '--method',
        'tools/call',
        '--tool-name',
        'call_tool',
        '--tool-arg',
        'name=alpha_echo',
        '--tool-arg',
        'arguments={"message":"from the inspector"}',
      ]);
      assert.deepEqual(called.content, [{ type: 'text', text: 'alpha: from the inspector' }]);
    });
  }
});
