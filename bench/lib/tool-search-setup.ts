/**
 * The running setup of bench/tool-search.ts: the sandbox the demo servers talk to, the registry
 * servers installed into the cache, and one `gatehouse serve` fronting them all (each a stdio
 * upstream), plus many-tools upstreams that pad the catalog to 1,000 tools for the latency figures.
 *
 * Four roles, each with its own API key:
 *   full         every tool of the real catalog (registry + demo servers), its whole list
 *   search       the same tools, in search mode (core tools: none; search_tools + call_tool)
 *   full-1000    the real catalog and the padding: 1,000 tools
 *   search-1000  the same 1,000 tools, in search mode
 *   search-core  the real catalog in search mode with a core of five everyday tools (CORE_TOOLS)
 * A search-mode role's searches only ever rank the tools its policy lets it see, so `search` never
 * meets the padding and `search-1000` searches all 1,000.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningSandbox, startSandbox } from '@gatehouse/sandbox';
import { SqliteApiKeys } from '../../packages/gateway/src/auth/api-keys-sqlite.ts';
import { type Child, GATEHOUSE_BIN, MANY_TOOLS_SERVER, startChild } from './scale-harness.ts';
import { catalogUpstreamsYaml, DEMO_SERVERS, REGISTRY_SERVERS } from './tool-search-servers.ts';

/** Twenty-odd servers start on a small machine: the knowledge server indexes its corpus first. */
const READY_TIMEOUT_MS = 240_000;

export const ROLES = ['full', 'search', 'full-1000', 'search-1000', 'search-core'] as const;

/** The core of the `search-core` role: tools a support or sales desk uses every day. */
export const CORE_TOOLS = [
  'customer_get_customer_profile',
  'knowledge_search_docs',
  'platform_get_service_health',
  'slack_slack_post_message',
  'github_create_issue',
] as const;
export type Role = (typeof ROLES)[number];

/** Whether this checkout's gateway has the `toolSearch` configuration section (search mode). */
export const GATEWAY_HAS_SEARCH_MODE = existsSync(
  fileURLToPath(new URL('../../packages/gateway/src/config/schema-search.ts', import.meta.url)),
);

/** The padding upstreams' names: each is also its tools' prefix (`pad1_get_invoice`, …). */
export function padUpstreams(padTools: number): { name: string; tools: number }[] {
  const perUpstream = 250;
  const count = Math.ceil(padTools / perUpstream);
  return Array.from({ length: count }, (_, i) => ({
    name: `pad${i + 1}`,
    tools: Math.min(perUpstream, padTools - i * perUpstream),
  }));
}

export const REAL_SERVERS: readonly string[] = [...REGISTRY_SERVERS.map((s) => s.name), ...DEMO_SERVERS];

function padYaml(padTools: number): string {
  return padUpstreams(padTools)
    .map(({ name, tools }) => {
      const args = [MANY_TOOLS_SERVER, '--tools', String(tools), '--prefix', name];
      return `  - name: ${name}\n    transport: stdio\n    command: ${JSON.stringify(process.execPath)}\n    args: ${JSON.stringify(args)}\n    prefix: ""\n    required: true\n`;
    })
    .join('');
}

function policyYaml(): string {
  const real = REAL_SERVERS.map((s) => JSON.stringify(`${s}_*`)).join(', ');
  return `policy:
  groups:
    real-catalog: { allow: [{ tools: [${real}] }] }
    everything: { allow: [{ tools: ["*"] }] }
  roles:
    full: { groups: [real-catalog] }
    search: { groups: [real-catalog] }
    full-1000: { groups: [everything] }
    search-1000: { groups: [everything] }
    search-core: { groups: [real-catalog] }
`;
}

const SEARCH_MODE_YAML = `toolSearch:
  limit: 5
  roles:
    search: { core: [] }
    search-1000: { core: [] }
    search-core: { core: [${CORE_TOOLS.join(', ')}] }
`;

export interface GatewayYamlInput {
  modules: string;
  work: string;
  sandboxUrl: string;
  dataDir: string;
  storage: string;
  padTools: number;
}

export function gatewayYaml(input: GatewayYamlInput): string {
  return `server: { host: 127.0.0.1, port: 0 }
logging: { level: warn }
storage: { path: ${JSON.stringify(input.storage)} }
auth: { apiKeys: true }
audit: { enabled: false }
upstreams:
${catalogUpstreamsYaml(input)}${padYaml(input.padTools)}${policyYaml()}${GATEWAY_HAS_SEARCH_MODE ? SEARCH_MODE_YAML : ''}`;
}

/** Waits until /readyz answers 200 (every upstream is required); says which are not when it gives up. */
async function waitAllUpstreams(gateway: Child): Promise<void> {
  const readyz = new URL('/readyz', gateway.url);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    const response = await fetch(readyz).catch(() => undefined);
    last = response ? await response.text() : 'no answer';
    if (response?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `the gateway was not ready in ${READY_TIMEOUT_MS / 1000} s; /readyz: ${last}\n${gateway.stderr().slice(-2000)}`,
  );
}

export interface RunningSetup {
  url: string;
  keys: Map<Role, string>;
  gatewayPid: number;
  stop(): Promise<void>;
}

/**
 * Starts the sandbox and the gateway with every server; resolves once /readyz answers (every
 * upstream is `required`, so every one of them is connected and listed by then).
 */
export async function startToolSearchSetup(
  dir: string,
  modules: string,
  padTools: number,
): Promise<RunningSetup> {
  const work = join(dir, 'work');
  const dataDir = join(dir, 'data');
  mkdirSync(work, { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  const sandbox: RunningSandbox = await startSandbox({ port: 0 });
  const storage = join(dir, 'gatehouse.db');
  const store = new SqliteApiKeys(storage);
  const keys = new Map(
    ROLES.map((role) => [role, store.create({ user: `bench-${role}`, roles: [role] }).key]),
  );
  store.close();
  const yaml = gatewayYaml({ modules, work, sandboxUrl: sandbox.url, dataDir, storage, padTools });
  const configFile = join(dir, 'gatehouse.yaml');
  writeFileSync(configFile, yaml);
  let gateway: Child;
  try {
    gateway = await startChild(
      [GATEHOUSE_BIN, 'serve', '--config', configFile],
      /Gatehouse MCP endpoint: (\S+)/,
      'gateway (tool-search catalog)',
    );
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  try {
    await waitAllUpstreams(gateway);
  } catch (error) {
    await gateway.stop();
    await sandbox.close();
    throw error;
  }
  return {
    url: gateway.url,
    keys,
    gatewayPid: gateway.pid,
    async stop() {
      await gateway.stop();
      await sandbox.close();
    },
  };
}
