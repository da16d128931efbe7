/**
 * Every domain server built on the kit lists tool schemas that every major client accepts: the MCP
 * Inspector CLI (2.12, a root devDependency) runs its schema-portability check (`--strict`) over
 * each server's `tools/list`, over stdio exactly as the gateway starts them, and finds nothing —
 * no `["string","null"]` type arrays, no empty `additionalProperties: {}`.
 *
 * The servers are pointed at a closed loopback port: listing tools contacts no backend.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const INSPECTOR_CLI = fileURLToPath(
  import.meta.resolve('@modelcontextprotocol/inspector/clients/cli/build/index.js'),
);
const NOWHERE = 'http://127.0.0.1:9';
const scratch = makeTempDir('gatehouse-schemas-');

const SERVERS: Record<string, Record<string, string>> = {
  'customer-server': {
    HUBSPOT_BASE_URL: NOWHERE,
    HUBSPOT_TOKEN: 'test',
    INTERCOM_BASE_URL: NOWHERE,
    INTERCOM_TOKEN: 'test',
    CHARGEOVER_BASE_URL: NOWHERE,
    CHARGEOVER_PUBLIC_KEY: 'test',
    CHARGEOVER_PRIVATE_KEY: 'test',
  },
  'platform-ops-server': { PLATFORM_BASE_URL: NOWHERE, PLATFORM_TOKEN: 'test' },
  'knowledge-server': { KNOWLEDGE_DB_PATH: join(scratch, 'knowledge.db') },
  'wallet-server': { WALLET_DB_PATH: join(scratch, 'wallet.db') },
  'weather-server': { OPEN_METEO_BASE_URL: NOWHERE, OPEN_METEO_GEOCODING_URL: NOWHERE },
};

interface Listing {
  result?: { tools?: { name: string }[] };
  schemaFindings?: { toolName: string; findings: { path: string; issue: string }[] }[];
}

function listTools(
  server: string,
  env: Record<string, string>,
): Promise<{ listing: Listing; stderr: string }> {
  const argv = [
    INSPECTOR_CLI,
    '--transport',
    'stdio',
    ...Object.entries({ LOG_LEVEL: 'warn', ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    '--method',
    'tools/list',
    '--strict',
    '--format',
    'json',
    '--',
    process.execPath,
    join(ROOT, 'packages', server, 'src/main.ts'),
  ];
  const cliEnv: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: scratch,
    MCP_CATALOG_PATH: join(scratch, 'mcp.json'),
  };
  delete cliEnv.NODE_TEST_CONTEXT;
  delete cliEnv.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, argv, { env: cliEnv, cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`inspector CLI failed for ${server} (${error.code}):\n${stdout}\n${stderr}`));
      else resolve({ listing: JSON.parse(stdout) as Listing, stderr });
    });
  });
}

after(() => rmSync(scratch, { recursive: true, force: true }));

describe('domain servers list portable tool schemas (MCP Inspector --strict)', () => {
  for (const [server, env] of Object.entries(SERVERS)) {
    it(`${server}: 0 errors, 0 warnings`, async () => {
      const { listing, stderr } = await listTools(server, env);
      assert.ok((listing.result?.tools?.length ?? 0) > 1, `${server} lists its tools\n${stderr}`);
      assert.deepEqual(listing.schemaFindings ?? [], [], JSON.stringify(listing.schemaFindings, null, 2));
      assert.doesNotMatch(stderr, /Schema portability|Warning: tool/, stderr);
    });
  }
});
