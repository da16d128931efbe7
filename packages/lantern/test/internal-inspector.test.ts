/**
 * The official MCP Inspector CLI (`@modelcontextprotocol/inspector`, a root devDependency) as a
 * client of Lantern's internal MCP server: with the service token in `--header` it lists the
 * analytics component's tools and calls one on alice's behalf (`--tool-metadata` carries the
 * principal); without the token it gets nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PRINCIPAL_META_KEY } from '@gatehouse/kit';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { sqliteDatabases } from './helpers/backends.ts';
import { internalOf, principalOf } from './helpers/internal.ts';
import { ALICE, startTestLantern, type TestLantern } from './helpers/lantern.ts';

const INSPECTOR_CLI = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/inspector/clients/cli/build/index.js'),
);
const CLI_TIMEOUT_MS = 20_000;

const databases = sqliteDatabases();
let t: TestLantern;
let home: string;
before(async () => {
  home = makeTempDir('lantern-inspector-');
  t = await startTestLantern(await databases.fresh());
});
after(async () => {
  await t?.close();
  await databases.cleanup();
  if (home) await rm(home, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function inspect(url: string, args: string[]): Promise<Run> {
  const argv = [INSPECTOR_CLI, '--server-url', url, '--transport', 'http', '--format', 'json', ...args];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    MCP_CATALOG_PATH: join(home, 'mcp.json'),
    MCP_CLIENT_CONFIG_PATH: join(home, 'client.json'),
  };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      argv,
      { env, timeout: CLI_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function resultOf(run: Run): Record<string, unknown> {
  assert.equal(run.code, 0, `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { result: Record<string, unknown> }).result;
}

for (const era of ['legacy', 'modern'] as const) {
  it(`lists the analytics component's tools with the service token header (--protocol-era ${era})`, async () => {
    const internal = internalOf(t);
    const header = `Authorization: Bearer ${internal.token}`;
    const url = internal.urls.analytics ?? '';
    const listed = resultOf(
      await inspect(url, ['--protocol-era', era, '--header', header, '--method', 'tools/list']),
    );
    const names = (listed.tools as { name: string }[]).map((tool) => tool.name).sort();
    assert.deepEqual(names, ['health', 'incident_stats', 'query_activity']);

    const alice = JSON.stringify(await principalOf(t, ALICE));
    const called = resultOf(
      await inspect(url, [
        '--protocol-era',
        era,
        '--header',
        header,
        '--method',
        'tools/call',
        '--tool-name',
        'incident_stats',
        '--tool-arg',
        'days=30',
        '--tool-metadata',
        `${PRINCIPAL_META_KEY}=${alice}`,
      ]),
    );
    assert.notEqual(called.isError, true, JSON.stringify(called));
    assert.equal((called.structuredContent as { org: string }).org, 'northwind');
  });
}

it('gets nothing without the service token, or with a wrong one', async () => {
  const internal = internalOf(t);
  for (const header of [[], ['--header', 'Authorization: Bearer not-the-service-token-0123456789']]) {
    const run = await inspect(internal.urls.analytics ?? '', [
      '--protocol-era',
      'legacy',
      ...header,
      '--method',
      'tools/list',
    ]);
    assert.notEqual(run.code, 0);
    assert.doesNotMatch(run.stdout, /incident_stats/);
    // The CLI reads a 401 as "this server wants authorisation" (it would start OAuth on a TTY).
    assert.match(`${run.stdout}${run.stderr}`, /auth_required|401|Unauthorized/);
  }
});
