/**
 * The setups the overhead benchmark compares, each in its own process(es) with the same upstream
 * (bench/upstream/bench-server.ts):
 *
 * - direct:       the client to the bench server over Streamable HTTP (the baseline);
 * - direct stdio: the client spawns the bench server and talks to it over stdio (for context);
 * - gatehouse:    `gatehouse serve --config examples/bench/gatehouse.yaml`, the bench server as its
 *                 stdio upstream, full pipeline (API key, policy, audit to SQLite, metrics);
 * - mcp-proxy:    the npm `mcp-proxy` CLI running the bench server over stdio, Streamable HTTP at /mcp;
 * - supergateway: the npm `supergateway` CLI, stdio → Streamable HTTP, `--stateful` (one upstream
 *                 child per session; its stateless mode spawns a child per request).
 * - gatehouse audit off: the same gateway and config with `audit.enabled: false` (what the
 *                 audit costs a call; not in the default setups);
 * - bare relay:   bench/upstream/bare-relay.ts, the least any stdio-backed relay does (parse, swap
 *                 ids, write a line, parse the answer, send it); 2025 era only; the floor for
 *                 every proxy on the machine (not in the default setups).
 *
 * Each setup says how to open a client in an era, which process is the proxy, and which process
 * trees make up the server side of the path, for CPU accounting.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { freePort, type RunningChild, startChild, waitForHttp } from './children.ts';

export type Era = 'legacy' | 'modern';
export const SETUP_NAMES = [
  'direct',
  'direct stdio',
  'gatehouse',
  'gatehouse before',
  'gatehouse audit off',
  'mcp-proxy',
  'supergateway',
  'bare relay',
] as const;
export type SetupName = (typeof SETUP_NAMES)[number];

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BENCH_SERVER = 'bench/upstream/bench-server.ts';
const BARE_RELAY = 'bench/upstream/bare-relay.ts';
export const UPSTREAM_CMD = `node ${BENCH_SERVER}`;
export const GATEHOUSE_CONFIG = 'examples/bench/gatehouse.yaml';
/** The gateway CLI; GATEHOUSE_BENCH_BIN points at another checkout's. */
const GATEHOUSE_BIN = process.env.GATEHOUSE_BENCH_BIN ?? join(ROOT, 'packages/gateway/bin/gatehouse.mjs');
const MCP_PROXY_BIN = join(ROOT, 'node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs');
const SUPERGATEWAY_BIN = join(ROOT, 'node_modules/supergateway/dist/index.js');

export interface Setup {
  name: SetupName;
  /** The eras this setup is measured in. */
  eras: Era[];
  /** The proxy's own process (null for direct): its CPU alone is the "proxy CPU". */
  proxyPid: number | null;
  /** Roots of the server-side process trees (proxy and upstreams) for the whole-path CPU. */
  serverRoots(): number[];
  /** All workers share one client (stdio: one pipe) instead of one client per worker. */
  sharedClient: boolean;
  connect(era: Era): Promise<Client>;
  /** tools/call requests answered through this setup (warm-up included). */
  calls: number;
  stop(): Promise<void>;
}

export function negotiation(era: Era) {
  return { mode: era === 'modern' ? ({ pin: '2026-07-28' } as const) : ('legacy' as const) };
}

async function httpClient(url: string, era: Era, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client(
    { name: 'gatehouse-bench', version: '1.0.0' },
    { versionNegotiation: negotiation(era) },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

function httpSetup(
  name: SetupName,
  eras: Era[],
  url: string,
  server: RunningChild,
  proxy: boolean,
  headers: Record<string, string> = {},
): Setup {
  return {
    name,
    eras,
    proxyPid: proxy ? server.pid : null,
    serverRoots: () => [server.pid],
    sharedClient: false,
    connect: (era) => httpClient(url, era, headers),
    calls: 0,
    stop: () => server.stop(),
  };
}

async function startDirect(): Promise<Setup> {
  const server = await startChild({
    command: process.execPath,
    args: [BENCH_SERVER, '--port', '0'],
    cwd: ROOT,
    what: 'bench server (direct)',
    readyLine: /BENCH_URL (\S+)/,
  });
  return httpSetup('direct', ['legacy', 'modern'], server.captured, server, false);
}

/** The client spawns its own bench server per connection; one connection serves every worker. */
function directStdio(): Setup {
  const pids = new Set<number>();
  const clients: Client[] = [];
  return {
    name: 'direct stdio',
    eras: ['legacy', 'modern'],
    proxyPid: null,
    serverRoots: () => [...pids],
    sharedClient: true,
    async connect(era) {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [BENCH_SERVER],
        cwd: ROOT,
      });
      const client = new Client(
        { name: 'gatehouse-bench', version: '1.0.0' },
        { versionNegotiation: negotiation(era) },
      );
      await client.connect(transport);
      const pid = transport.pid;
      if (pid !== null) pids.add(pid);
      clients.push(client);
      const close = client.close.bind(client);
      client.close = async () => {
        await close();
        if (pid !== null) pids.delete(pid);
      };
      return client;
    },
    calls: 0,
    async stop() {
      await Promise.allSettled(clients.map((c) => c.close()));
    },
  };
}

export interface GatehouseSetup extends Setup {
  /**
   * tools/call records in its audit log (SQLite): all of them, and those with status ok; null
   * when its audit is off.
   */
  auditedCalls(): { total: number; ok: number } | null;
  /** Deletes its data directory (after stop). */
  removeData(): void;
}

/** A copy of the bench config with the audit off, written into the setup's data directory. */
function auditOffConfig(dataDir: string): string {
  const config = readFileSync(join(ROOT, GATEHOUSE_CONFIG), 'utf8');
  const off = config.replace(/^audit:\n {2}enabled: true$/m, 'audit:\n  enabled: false');
  if (off === config) throw new Error(`${GATEHOUSE_CONFIG}: no "audit: enabled: true" to turn off`);
  const path = join(dataDir, 'gatehouse-audit-off.yaml');
  writeFileSync(path, off);
  return path;
}

/**
 * `gatehouse serve --config examples/bench/gatehouse.yaml` fronting the bench server over stdio;
 * `cpuProfileDir` adds `--cpu-prof` via NODE_OPTIONS (the gateway runs stdio children with a
 * minimal environment, so the upstream is not profiled).
 */
export async function startGatehouse(
  cpuProfileDir?: string,
  variant?: { bin: string } | { auditOff: true },
): Promise<GatehouseSetup> {
  const before = variant !== undefined && 'bin' in variant ? variant : undefined;
  const auditOff = variant !== undefined && 'auditOff' in variant;
  const name: SetupName = before ? 'gatehouse before' : auditOff ? 'gatehouse audit off' : 'gatehouse';
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-overhead-'));
  const key = randomBytes(24).toString('hex');
  const nodeOptions = cpuProfileDir
    ? `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${cpuProfileDir}`.trim()
    : process.env.NODE_OPTIONS;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    UPSTREAM_CMD,
    PORT: '0',
    GATEHOUSE_BENCH_KEY: key,
    GATEHOUSE_DATA_DIR: dataDir,
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
  };
  delete env.UPSTREAM_URL;
  let gateway: RunningChild;
  try {
    gateway = await startChild({
      command: process.execPath,
      args: [
        before?.bin ?? GATEHOUSE_BIN,
        'serve',
        '--config',
        auditOff ? auditOffConfig(dataDir) : GATEHOUSE_CONFIG,
      ],
      cwd: ROOT,
      env,
      what: name,
      readyLine: /Gatehouse MCP endpoint: (\S+)/,
    });
    await waitForHttp(new URL('/readyz', gateway.captured).href, 'gatehouse', (s) => s === 200);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const database = join(dataDir, 'gatehouse.db');
  return {
    ...httpSetup(name, ['legacy', 'modern'], gateway.captured, gateway, true, {
      authorization: `Bearer ${key}`,
    }),
    auditedCalls() {
      if (auditOff) return null;
      const db = new DatabaseSync(database, { readOnly: true });
      try {
        const row = db
          .prepare(
            "SELECT count(*) AS n, sum(status = 'ok') AS ok FROM audit_log WHERE method = 'tools/call'",
          )
          .get() as { n: number; ok: number | null };
        return { total: row.n, ok: row.ok ?? 0 };
      } finally {
        db.close();
      }
    },
    removeData: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function startMcpProxy(): Promise<Setup> {
  const port = await freePort();
  const proxy = await startChild({
    command: process.execPath,
    args: [MCP_PROXY_BIN, '--port', String(port), '--host', '127.0.0.1', '--', 'node', BENCH_SERVER],
    cwd: ROOT,
    what: 'mcp-proxy',
    readyLine: /starting server on port/,
  });
  const url = `http://127.0.0.1:${port}/mcp`;
  await waitForHttp(url, 'mcp-proxy');
  // mcp-proxy serves 2026-07-28 too (--modern is on by default), relayed to its one stdio child.
  return httpSetup('mcp-proxy', ['legacy', 'modern'], url, proxy, true);
}

async function startSupergateway(): Promise<Setup> {
  const port = await freePort();
  const proxy = await startChild({
    command: process.execPath,
    args: [
      SUPERGATEWAY_BIN,
      '--stdio',
      UPSTREAM_CMD,
      '--outputTransport',
      'streamableHttp',
      '--stateful',
      '--port',
      String(port),
      '--healthEndpoint',
      '/healthz',
      '--logLevel',
      'none',
    ],
    cwd: ROOT,
    what: 'supergateway',
  });
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 'supergateway', (s) => s === 200);
  // Its 2026-07-28 leg spawns a fresh upstream process per request: measured in the legacy era only.
  return httpSetup('supergateway', ['legacy'], `http://127.0.0.1:${port}/mcp`, proxy, true);
}

async function startBareRelay(): Promise<Setup> {
  const relay = await startChild({
    command: process.execPath,
    args: [BARE_RELAY, '--port', '0', '--', 'node', BENCH_SERVER],
    cwd: ROOT,
    what: 'bare relay',
    readyLine: /BARE_RELAY_URL (\S+)/,
  });
  return httpSetup('bare relay', ['legacy'], relay.captured, relay, true);
}

/** Whether a peer proxy is installed (they are root devDependencies). */
export function peerInstalled(name: 'mcp-proxy' | 'supergateway'): boolean {
  return existsSync(name === 'mcp-proxy' ? MCP_PROXY_BIN : SUPERGATEWAY_BIN);
}

/**
 * Starts the named setups, in order; on failure stops what was started. `beforeBin` is the
 * gateway CLI of another checkout (the code before a change), run as "gatehouse before" with the
 * same config, so one run measures before and after in interleaved rounds.
 */
export async function startSetups(
  names: SetupName[],
  cpuProfileDir?: string,
  beforeBin?: string,
): Promise<Setup[]> {
  const started: Setup[] = [];
  try {
    for (const name of names) {
      if (name === 'direct') started.push(await startDirect());
      else if (name === 'direct stdio') started.push(directStdio());
      else if (name === 'gatehouse') started.push(await startGatehouse(cpuProfileDir));
      else if (name === 'gatehouse before') {
        if (beforeBin === undefined) throw new Error('the setup "gatehouse before" needs --before-bin');
        started.push(await startGatehouse(undefined, { bin: beforeBin }));
      } else if (name === 'gatehouse audit off')
        started.push(await startGatehouse(cpuProfileDir, { auditOff: true }));
      else if (name === 'mcp-proxy') started.push(await startMcpProxy());
      else if (name === 'bare relay') started.push(await startBareRelay());
      else started.push(await startSupergateway());
    }
    return started;
  } catch (error) {
    await Promise.allSettled(started.map((s) => s.stop()));
    throw error;
  }
}

export function isGatehouse(setup: Setup): setup is GatehouseSetup {
  return 'auditedCalls' in setup;
}
