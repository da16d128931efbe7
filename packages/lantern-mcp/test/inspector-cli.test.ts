/**
 * The official MCP Inspector CLI (`@modelcontextprotocol/inspector`, a root devDependency) as the
 * user's host: it launches the server over stdio with LANTERN_URL/LANTERN_TOKEN in its
 * environment, lists the tools (its `--strict` schema-portability check finds nothing) and calls
 * `list_incidents` in both protocol eras.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { BOB, MAIN, startWorld, TOOL_NAMES, type World } from './helpers.ts';

const INSPECTOR_CLI = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/inspector/clients/cli/build/index.js'),
);

interface Output {
  result?: {
    tools?: { name: string }[];
    isError?: boolean;
    structuredContent?: { incidents: { orgId: string; status: string }[] };
  };
  schemaFindings?: unknown[];
}

let world: World;
let home: string;
before(async () => {
  world = await startWorld();
  home = makeTempDir('lantern-mcp-inspector-');
});
after(async () => {
  await world.close();
  rmSync(home, { recursive: true, force: true });
});

function inspect(args: string[]): Promise<Output> {
  const argv = [
    INSPECTOR_CLI,
    '--transport',
    'stdio',
    '-e',
    `LANTERN_URL=${world.lantern.url}`,
    '-e',
    `LANTERN_TOKEN=${world.lantern.tokens[BOB]}`,
    '-e',
    'LOG_LEVEL=warn',
    '--format',
    'json',
    ...args,
    '--',
    process.execPath,
    MAIN,
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json') };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, argv, { env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`inspector CLI failed (${error.code}):\n${stdout}\n${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout) as Output);
    });
  });
}

describe('MCP Inspector CLI over stdio', () => {
  test('tools/list --strict: the tools, with portable schemas', async () => {
    const output = await inspect(['--method', 'tools/list', '--strict']);
    assert.deepEqual((output.result?.tools ?? []).map((t) => t.name).sort(), TOOL_NAMES);
    assert.deepEqual(output.schemaFindings ?? [], []);
  });

  for (const era of ['legacy', 'modern'] as const) {
    test(`tools/call list_incidents status=open (${era})`, async () => {
      const output = await inspect([
        '--protocol-era',
        era,
        '--method',
        'tools/call',
        '--tool-name',
        'list_incidents',
        '--tool-arg',
        'status=open',
      ]);
      assert.notEqual(output.result?.isError, true);
      const incidents = output.result?.structuredContent?.incidents ?? [];
      assert.ok(incidents.length > 0, 'Northwind has an open incident');
      for (const incident of incidents)
        assert.deepEqual([incident.orgId, incident.status], ['northwind', 'open']);
    });
  }
});
