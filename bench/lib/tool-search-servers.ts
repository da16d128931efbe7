/**
 * The catalog of bench/tool-search.ts: real MCP servers from the npm registry, nobody here wrote
 * them, at the exact versions of bench/tool-search/servers/package.json (and its lockfile), plus
 * the five demo domain servers. The benchmark installs the registry servers itself into a cache
 * directory (`npm ci --ignore-scripts`, never into the project's dependencies) and fronts them all
 * with one `gatehouse serve`, each as a stdio upstream whose name is the tool-name prefix.
 *
 * Every server here starts offline and lists its tools without credentials. Where a server
 * refuses to start without a key, it gets an obviously fake one: listing needs no account, and no
 * tool is ever called against a real service (there is no network here).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SERVERS_DIR = join(ROOT, 'bench/tool-search/servers');
/** Where the registry servers are installed unless --cache says otherwise (git-ignored). */
export const DEFAULT_CACHE = join(ROOT, '.gatehouse-bench/tool-search-servers');

/** An obviously fake credential: enough for a server to start and list its tools, valid nowhere. */
const FAKE = 'fake-key-for-listing-tools-only';

export interface RegistryServer {
  /** The upstream name behind the gateway, and so the prefix of its tools' names. */
  name: string;
  /** The npm package (its exact version is in servers/package.json). */
  package: string;
  /** The entry point inside the package (its `bin`). */
  bin: string;
  /** Arguments after the entry point; `{work}` is replaced by a scratch directory. */
  args?: readonly string[];
  /** Environment: fake keys and offline switches; `{work}` as in args. */
  env?: Readonly<Record<string, string>>;
}

export const REGISTRY_SERVERS: readonly RegistryServer[] = [
  {
    name: 'everything',
    package: '@modelcontextprotocol/server-everything',
    bin: 'dist/index.js',
    args: ['stdio'],
  },
  {
    name: 'filesystem',
    package: '@modelcontextprotocol/server-filesystem',
    bin: 'dist/index.js',
    args: ['{work}'],
  },
  {
    name: 'memory',
    package: '@modelcontextprotocol/server-memory',
    bin: 'dist/index.js',
    env: { MEMORY_FILE_PATH: '{work}/memory.jsonl' },
  },
  { name: 'thinking', package: '@modelcontextprotocol/server-sequential-thinking', bin: 'dist/index.js' },
  { name: 'playwright', package: '@playwright/mcp', bin: 'cli.js' },
  { name: 'devtools', package: 'chrome-devtools-mcp', bin: 'build/src/bin/chrome-devtools-mcp.js' },
  { name: 'notion', package: '@notionhq/notion-mcp-server', bin: 'bin/cli.mjs', env: { NOTION_TOKEN: FAKE } },
  { name: 'kubernetes', package: 'mcp-server-kubernetes', bin: 'dist/index.js' },
  { name: 'context7', package: '@upstash/context7-mcp', bin: 'dist/index.js' },
  {
    name: 'github',
    package: '@modelcontextprotocol/server-github',
    bin: 'dist/index.js',
    env: { GITHUB_PERSONAL_ACCESS_TOKEN: FAKE },
  },
  {
    name: 'gitlab',
    package: '@modelcontextprotocol/server-gitlab',
    bin: 'dist/index.js',
    env: { GITLAB_PERSONAL_ACCESS_TOKEN: FAKE },
  },
  {
    name: 'firecrawl',
    package: 'firecrawl-mcp',
    bin: 'dist/index.js',
    env: { FIRECRAWL_API_KEY: `fc-${FAKE}` },
  },
  { name: 'sentry', package: '@sentry/mcp-server', bin: 'dist/index.js', env: { SENTRY_ACCESS_TOKEN: FAKE } },
  {
    name: 'mongodb',
    package: 'mongodb-mcp-server',
    bin: 'dist/esm/index.js',
    env: { MDB_MCP_TELEMETRY: 'disabled', MDB_MCP_LOG_PATH: '{work}/mongodb-logs' },
  },
  {
    name: 'slack',
    package: '@modelcontextprotocol/server-slack',
    bin: 'dist/index.js',
    env: { SLACK_BOT_TOKEN: `xoxb-${FAKE}`, SLACK_TEAM_ID: 'T00000000' },
  },
  {
    name: 'maps',
    package: '@modelcontextprotocol/server-google-maps',
    bin: 'dist/index.js',
    env: { GOOGLE_MAPS_API_KEY: FAKE },
  },
  {
    name: 'brave',
    package: '@modelcontextprotocol/server-brave-search',
    bin: 'dist/index.js',
    env: { BRAVE_API_KEY: FAKE },
  },
];

/** The five demo domain servers (examples/demo/gatehouse.yaml), as the demo runs them. */
export const DEMO_SERVERS = ['customer', 'platform', 'knowledge', 'wallet', 'weather'] as const;

function pinnedVersions(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(SERVERS_DIR, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  return manifest.dependencies;
}

/** The exact version each registry server is pinned to. */
export function pinnedVersion(server: RegistryServer): string {
  const version = pinnedVersions()[server.package];
  if (version === undefined)
    throw new Error(`${server.package} is not pinned in ${SERVERS_DIR}/package.json`);
  return version;
}

/**
 * `npm ci --ignore-scripts` of a pinned folder (its package.json and package-lock.json) into
 * `cache`, unless the same lockfile is installed there already. Returns the node_modules path.
 */
export function installPinned(
  source: string,
  cache: string,
  what: string,
  log: (line: string) => void,
): string {
  const lock = join(source, 'package-lock.json');
  const installedLock = join(cache, 'package-lock.json');
  const modules = join(cache, 'node_modules');
  const current =
    existsSync(installedLock) &&
    existsSync(join(modules, '.package-lock.json')) &&
    readFileSync(installedLock, 'utf8') === readFileSync(lock, 'utf8');
  if (!current) {
    log(`installing ${what} from the npm registry into ${cache} (npm ci) …`);
    mkdirSync(cache, { recursive: true });
    copyFileSync(join(source, 'package.json'), join(cache, 'package.json'));
    copyFileSync(lock, installedLock);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: cache,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) throw new Error(`npm ci in ${cache} failed (exit ${result.status})`);
  }
  return modules;
}

/**
 * The registry servers of servers/ installed into `cache` (see installPinned); then checks each
 * installed version is the pinned one. Returns the node_modules path.
 */
export function installRegistryServers(cache: string, log: (line: string) => void): string {
  const modules = installPinned(SERVERS_DIR, cache, `${REGISTRY_SERVERS.length} MCP servers`, log);
  for (const server of REGISTRY_SERVERS) {
    const manifest = join(modules, server.package, 'package.json');
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    if (version !== pinnedVersion(server))
      throw new Error(`${server.package}: ${version} installed in ${cache}, ${pinnedVersion(server)} pinned`);
  }
  return modules;
}

const quote = (value: string) => JSON.stringify(value);

/** One registry server as a stdio upstream of the generated configuration. */
function registryUpstreamYaml(server: RegistryServer, modules: string, work: string): string {
  const fill = (text: string) => text.replaceAll('{work}', work);
  const args = [join(modules, server.package, server.bin), ...(server.args ?? []).map(fill)];
  const env = Object.entries(server.env ?? {})
    .map(([key, value]) => `      ${key}: ${quote(fill(value))}\n`)
    .join('');
  return `  - name: ${server.name}
    transport: stdio
    command: ${quote(process.execPath)}
    args: ${JSON.stringify(args)}
    cwd: ${quote(work)}
    required: true
${env ? `    env:\n${env}` : ''}`;
}

/** The demo's five domain servers, as examples/demo/gatehouse.yaml runs them (absolute paths). */
function demoUpstreamsYaml(sandboxUrl: string, dataDir: string): string {
  const node = quote(process.execPath);
  const main = (pkg: string) => quote(join(ROOT, `packages/${pkg}/src/main.ts`));
  const upstream = (name: string, pkg: string, env: Record<string, string>, extra = '') =>
    `  - name: ${name}
    transport: stdio
    command: ${node}
    args: [${main(pkg)}]
    cwd: ${quote(ROOT)}
    required: true${extra}
    env:
${Object.entries(env)
  .map(([key, value]) => `      ${key}: ${quote(value)}\n`)
  .join('')}`;
  return [
    upstream('customer', 'customer-server', {
      HUBSPOT_BASE_URL: `${sandboxUrl}/hubspot`,
      HUBSPOT_TOKEN: 'sandbox-token',
      INTERCOM_BASE_URL: `${sandboxUrl}/intercom`,
      INTERCOM_TOKEN: 'sandbox-token',
      CHARGEOVER_BASE_URL: `${sandboxUrl}/chargeover/api/v3`,
      CHARGEOVER_PUBLIC_KEY: 'sandbox',
      CHARGEOVER_PRIVATE_KEY: 'sandbox-token',
    }),
    upstream('platform', 'platform-ops-server', {
      PLATFORM_BASE_URL: `${sandboxUrl}/platform`,
      PLATFORM_TOKEN: 'sandbox-token',
    }),
    upstream(
      'knowledge',
      'knowledge-server',
      { KNOWLEDGE_DB_PATH: join(dataDir, 'knowledge.db') },
      '\n    timeoutMs: 120000',
    ),
    upstream('wallet', 'wallet-server', { WALLET_DB_PATH: join(dataDir, 'wallet.db') }),
    upstream('weather', 'weather-server', {
      OPEN_METEO_BASE_URL: `${sandboxUrl}/open-meteo`,
      OPEN_METEO_GEOCODING_URL: `${sandboxUrl}/open-meteo`,
    }),
  ].join('');
}

export interface UpstreamsInput {
  modules: string;
  /** Scratch directory of the registry servers (filesystem root, memory file, logs). */
  work: string;
  sandboxUrl: string;
  dataDir: string;
}

/** The `upstreams:` entries: every registry server, then the demo servers. */
export function catalogUpstreamsYaml(input: UpstreamsInput): string {
  return (
    REGISTRY_SERVERS.map((s) => registryUpstreamYaml(s, input.modules, input.work)).join('') +
    demoUpstreamsYaml(input.sandboxUrl, input.dataDir)
  );
}
