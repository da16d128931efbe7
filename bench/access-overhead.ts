/**
 * Per-call overhead of governed access (authentication + policy + audit): `tools/call` of a small
 * echo tool against one upstream, three ways, in one run:
 *
 * - direct:     the MCP client straight to the upstream over Streamable HTTP (the baseline);
 * - access off: through a gateway with an anonymous principal, an allow-all policy, no audit;
 * - access on:  through a second gateway with API-key authentication (a key made in a temp
 *               database), a policy of several roles, groups and rules whose conditions on the
 *               call's arguments are evaluated per call, and the audit log on SQLite in a temp dir
 *               (built-in redaction plus configured fields and patterns, which the arguments hit).
 *
 * The upstream and both gateways run as child processes (`gatehouse serve`), so each gateway's CPU
 * time is read from /proc/<pid>/stat around every round, apart from the client's. For each era
 * (2025-11-25 with a session, 2026-07-28 stateless) and each concurrency, rounds are interleaved
 * (direct, off, on, direct, off, on, …) after a warm-up (10 × --warmup calls per setup and era
 * once at the start, then --warmup calls per setup before each era and concurrency). Every round
 * reports calls/s, p50/p99 latency and gateway CPU per 1,000 calls; the summary gives medians over
 * rounds with the min–max spread, plus the access-on/access-off and access-on/direct ratios paired per round.
 * Afterwards the access-on gateway's audit log must hold exactly one `tools/call` record per call
 * made through it (the chain is verified too); otherwise the run exits non-zero.
 *
 *   node bench/access-overhead.ts [--calls 500] [--rounds 5] [--concurrency 1,8]
 *                                 [--eras legacy,modern] [--warmup 100] [--cpu-prof-dir DIR]
 *   node bench/access-overhead.ts --smoke      (a tiny run, a few seconds)
 *
 * --json FILE also writes the summary tables and charts as a BenchResult (bench/lib/results.ts).
 *
 * --cpu-prof-dir DIR writes a V8 CPU profile of each gateway process there (gateway-off.cpuprofile,
 * gateway-on.cpuprofile) when it exits; the figures of such a run include the profiler's cost.
 */

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  McpServer,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { SqliteAuditStore } from '../packages/gateway/src/audit/sqlite-store.ts';
import { verifyChain } from '../packages/gateway/src/audit/verify.ts';
import { SqliteApiKeys } from '../packages/gateway/src/auth/api-keys-sqlite.ts';
import { untilAuditCommitted } from './lib/audit-committed.ts';
import { CLOCK_TICKS, cpuMs, percentile, positiveInt, spread } from './lib/figures.ts';
import { markdownRow } from './lib/markdown.ts';
import { type ChartSpec, commandLine, type ResultTable, writeResult } from './lib/results.ts';
import { type Child, startChild, waitReady } from './lib/scale-harness.ts';
import { bar } from './lib/series.ts';

const SELF = fileURLToPath(import.meta.url);
const GATEHOUSE_BIN = fileURLToPath(new URL('../packages/gateway/bin/gatehouse.mjs', import.meta.url));

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '1,8' },
    eras: { type: 'string', default: 'legacy,modern' },
    warmup: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    'cpu-prof-dir': { type: 'string' },
    json: { type: 'string' },
    /** Internal: run as the echo upstream (the bench starts itself in this mode). */
    upstream: { type: 'boolean', default: false },
  },
});

// ---------------------------------------------------------------------------------------------
// The upstream: one echo tool, 2026-07-28 stateless and 2025-era sessions at /mcp.

const ECHO_INPUT = z.object({
  message: z.string(),
  region: z.string().optional(),
  amount: z.number().optional(),
  customer: z.object({ id: z.string(), ssn: z.string().optional() }).optional(),
});

function echoServer(): McpServer {
  const server = new McpServer({ name: 'bench-upstream', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Echoes its message', inputSchema: ECHO_INPUT },
    async ({ message }) => ({ content: [{ type: 'text', text: `echo: ${message}` }] }),
  );
  return server;
}

async function serveUpstream(): Promise<void> {
  const modern = createMcpHandler(echoServer, { legacy: 'reject' });
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const legacy = async (request: Request): Promise<Response> => {
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId !== null) {
      const transport = sessions.get(sessionId);
      if (transport) return transport.handleRequest(request);
      return Response.json(
        { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null },
        { status: 404 },
      );
    }
    const body: unknown = await request.json().catch(() => undefined);
    if (request.method !== 'POST' || !isInitializeRequest(body)) {
      return Response.json(
        { jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request' }, id: null },
        { status: 400 },
      );
    }
    const server = echoServer();
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, transport),
      onsessionclosed: (id) => void sessions.delete(id),
    });
    await server.connect(transport);
    return transport.handleRequest(request, { parsedBody: body });
  };
  const handler = toNodeHandler({
    fetch: async (request: Request) =>
      (await isLegacyRequest(request)) ? legacy(request) : modern.fetch(request),
  });
  const http = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      process.stderr.write(`bench upstream: ${error instanceof Error ? error.message : String(error)}\n`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  process.stdout.write(
    `upstream listening on http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp\n`,
  );
  const stop = (): void => {
    http.closeAllConnections();
    http.close(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// ---------------------------------------------------------------------------------------------
// Child processes and their CPU time.

// ---------------------------------------------------------------------------------------------
// Configurations.

function gatewayYaml(upstreamUrl: string, storage: string, access: 'off' | 'on'): string {
  const common = `server: { host: 127.0.0.1, port: 0 }
logging: { level: warn }
storage: { path: ${JSON.stringify(storage)} }
upstreams:
  - name: bench
    transport: http
    url: ${JSON.stringify(upstreamUrl)}
`;
  if (access === 'off') {
    return `${common}auth:
  apiKeys: false
  anonymous: { roles: [everyone] }
policy:
  groups:
    everything:
      allow: [{ tools: ["*"], resources: ["*"], prompts: ["*"] }]
  roles:
    everyone: { groups: [everything] }
audit: { enabled: false }
`;
  }
  // The key holds analyst, support and ops: the decision walks all their groups; the allow that
  // matches is support's conditional one, and the conditional deny is evaluated on every call.
  return `${common}auth:
  apiKeys: true
policy:
  groups:
    crm-read:
      allow:
        - tools: ["crm_get_*", "crm_list_*", "crm_search"]
        - resources: ["crm://*"]
    prompts:
      allow:
        - prompts: ["*"]
    echo-eu:
      allow:
        - tools: [bench_echo]
          when: ['region in ["eu", "uk"]', "amount <= 1000", 'message matches "^bench call "']
      deny:
        - tools: [bench_echo]
          when: ["amount > 5000"]
    ops:
      allow:
        - tools: ["bench_*"]
          when: ['region == "us"']
        - resources: ["*"]
      deny:
        - tools: ["*_delete*", "*_drop*"]
  roles:
    analyst: { groups: [crm-read, prompts] }
    support: { groups: [echo-eu, prompts] }
    ops: { groups: [ops, crm-read] }
    admin: { groups: [ops, echo-eu, crm-read, prompts] }
audit:
  enabled: true
  redact:
    fields: [customer.ssn, card_number]
    patterns:
      - { name: ticket, regex: "TKT-[0-9]{6}" }
`;
}

/** The arguments of call `i`: they meet the policy's conditions and give the redactor work. */
function callArguments(i: number): Record<string, unknown> {
  return {
    message: `bench call ${i} for alice@example.com about TKT-${String(i % 1_000_000).padStart(6, '0')}`,
    region: 'eu',
    amount: 250,
    customer: { id: `C-${i % 100}`, ssn: '078-05-1120' },
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring.

type Era = 'legacy' | 'modern';
type SetupName = 'direct' | 'access off' | 'access on';

interface Setup {
  name: SetupName;
  url: string;
  tool: string;
  headers: Record<string, string>;
  /** The gateway process whose CPU time is read; none for direct. */
  pid: number | null;
  calls: number;
}

interface RoundResult {
  perSecond: number;
  p50: number;
  p99: number;
  /** Gateway CPU ms per 1,000 calls; NaN for direct or without /proc. */
  cpuPer1k: number;
}

async function connect(setup: Setup, era: Era): Promise<Client> {
  const client = new Client(
    { name: 'gatehouse-bench', version: '1.0.0' },
    { versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(setup.url), { requestInit: { headers: setup.headers } }),
  );
  return client;
}

/** `calls` tools/call requests from `concurrency` workers; every answer is checked. */
async function runCalls(
  client: Client,
  setup: Setup,
  calls: number,
  concurrency: number,
): Promise<RoundResult> {
  const latencies = new Float64Array(calls);
  let next = 0;
  const cpuBefore = setup.pid === null ? undefined : cpuMs(setup.pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, calls) }, async () => {
      while (next < calls) {
        const i = next++;
        const args = callArguments(setup.calls + i);
        const t0 = performance.now();
        const result = await client.callTool({ name: setup.tool, arguments: args });
        latencies[i] = performance.now() - t0;
        const content = result.content as { type: string; text?: string }[] | undefined;
        const text = content?.[0]?.text;
        if (result.isError || text !== `echo: ${args.message}`) {
          throw new Error(`${setup.name}: unexpected answer ${JSON.stringify(result).slice(0, 300)}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = setup.pid === null ? undefined : cpuMs(setup.pid);
  setup.calls += calls;
  latencies.sort();
  return {
    perSecond: calls / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpuPer1k:
      cpuBefore === undefined || cpuAfter === undefined
        ? Number.NaN
        : ((cpuAfter - cpuBefore) * 1000) / calls,
  };
}

// ---------------------------------------------------------------------------------------------
// The run.

interface Scenario {
  era: Era;
  concurrency: number;
  results: Map<SetupName, RoundResult[]>;
}

function listOption(value: string, what: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new Error(`--${what} needs at least one value`);
  return items;
}

interface Options {
  calls: number;
  rounds: number;
  warmup: number;
  /** Calls per setup and era before anything is measured. */
  initialWarmup: number;
  concurrency: number[];
  eras: Era[];
  profileDir: string | undefined;
}

function options(): Options {
  const calls = values.smoke ? 20 : positiveInt(values.calls, 'calls');
  const warmup = values.smoke ? 5 : positiveInt(values.warmup ?? String(Math.max(50, calls / 5)), 'warmup');
  return {
    calls,
    rounds: values.smoke ? 2 : positiveInt(values.rounds, 'rounds'),
    warmup,
    initialWarmup: values.smoke ? warmup : warmup * 10,
    concurrency: listOption(values.concurrency, 'concurrency').map((c) => positiveInt(c, 'concurrency')),
    eras: listOption(values.eras, 'eras').map((e) => {
      if (e !== 'legacy' && e !== 'modern') throw new Error(`--eras: legacy or modern, found ${e}`);
      return e as Era;
    }),
    profileDir: values['cpu-prof-dir'],
  };
}

/** The upstream, the API key and both gateways; every child started is pushed onto `children`. */
async function startSetups(dir: string, profileDir: string | undefined, children: Child[]): Promise<Setup[]> {
  const upstream = await startChild([SELF, '--upstream'], /upstream listening on (\S+)/, 'upstream');
  children.push(upstream);
  const keys = new SqliteApiKeys(join(dir, 'on', 'gatehouse.db'));
  const { key } = keys.create({ user: 'alice', org: 'acme', roles: ['analyst', 'support', 'ops'] });
  keys.close();
  const startGateway = async (access: 'off' | 'on'): Promise<Child> => {
    const config = join(dir, `gatehouse-${access}.yaml`);
    writeFileSync(config, gatewayYaml(upstream.url, join(dir, access, 'gatehouse.db'), access));
    const prof = profileDir
      ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `gateway-${access}.cpuprofile`]
      : [];
    const gateway = await startChild(
      [...prof, GATEHOUSE_BIN, 'serve', '--config', config],
      /Gatehouse MCP endpoint: (\S+)/,
      `gateway (access ${access})`,
    );
    children.push(gateway);
    await waitReady(gateway.url, `gateway (access ${access})`);
    return gateway;
  };
  const off = await startGateway('off');
  const on = await startGateway('on');
  const setup = (name: SetupName, url: string, tool: string, pid: number | null, headers = {}): Setup => ({
    name,
    url,
    tool,
    headers,
    pid,
    calls: 0,
  });
  return [
    setup('direct', upstream.url, 'echo', null),
    setup('access off', off.url, 'bench_echo', off.pid),
    setup('access on', on.url, 'bench_echo', on.pid, { authorization: `Bearer ${key}` }),
  ];
}

/** Warms the JIT of every process up before anything is measured: `calls` calls at concurrency 8. */
async function warmUp(setups: Setup[], era: Era, calls: number): Promise<void> {
  for (const setup of setups) {
    const client = await connect(setup, era);
    try {
      await runCalls(client, setup, calls, 8);
    } finally {
      await client.close();
    }
  }
}

/** One era and concurrency: warm-up, then rounds interleaved over the setups. */
async function runScenario(setups: Setup[], era: Era, concurrency: number, opts: Options): Promise<Scenario> {
  const scenario: Scenario = { era, concurrency, results: new Map(setups.map((s) => [s.name, []])) };
  const clients = new Map<SetupName, Client>();
  try {
    for (const setup of setups) {
      const client = await connect(setup, era);
      clients.set(setup.name, client);
      await runCalls(client, setup, opts.warmup, concurrency);
    }
    for (let r = 0; r < opts.rounds; r++) {
      const line: string[] = [];
      for (const setup of setups) {
        const result = await runCalls(clients.get(setup.name) as Client, setup, opts.calls, concurrency);
        scenario.results.get(setup.name)?.push(result);
        const cpu = Number.isFinite(result.cpuPer1k) ? `, ${result.cpuPer1k.toFixed(0)} cpu-ms/1k` : '';
        line.push(
          `${setup.name} ${Math.round(result.perSecond)}/s p50 ${result.p50.toFixed(2)} p99 ${result.p99.toFixed(2)} ms${cpu}`,
        );
      }
      console.log(`  ${era} c=${concurrency} round ${r + 1}: ${line.join(' | ')}`);
    }
  } finally {
    await Promise.allSettled([...clients.values()].map((c) => c.close()));
  }
  return scenario;
}

/**
 * The access-on gateway's audit log must hold one ok tools/call record per call made through it.
 * Each answer waits for its record to be durable (journalled, then committed within ~50 ms), so
 * this is counted while the gateway still runs, once what it journalled is committed; the chain
 * is verified once the gateways have stopped.
 */
async function checkAudit(
  storage: string,
  calls: number,
  stopGateways: () => Promise<void>,
): Promise<{ ok: boolean; report: string }> {
  await untilAuditCommitted(storage);
  const db = new DatabaseSync(storage, { readOnly: true });
  const row = db
    .prepare("SELECT count(*) AS n, sum(status = 'ok') AS ok FROM audit_log WHERE method = 'tools/call'")
    .get() as { n: number; ok: number | null };
  const all = db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number };
  db.close();
  await stopGateways();
  const store = new SqliteAuditStore({ path: storage });
  await store.init();
  const chain = await verifyChain(store);
  await store.close();
  const ok = row.n === calls && row.ok === calls && chain.ok;
  const chainText = chain.ok ? `verified (${chain.count} records)` : `BROKEN at #${chain.firstBad.seq}`;
  const report =
    `audit (access on): ${row.n} tools/call records (${row.ok ?? 0} ok) for ${calls} calls made ` +
    `(${all.n} records in all); chain ${chainText} → ${ok ? 'OK' : 'MISMATCH'}`;
  return { ok, report };
}

async function main(): Promise<number> {
  const opts = options();
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-access-'));
  const children: Child[] = [];
  try {
    const setups = await startSetups(dir, opts.profileDir, children);
    const method =
      `access overhead: tools/call of an echo tool, ${opts.calls} calls x ${opts.rounds} rounds per setup ` +
      `(after ${opts.initialWarmup} warm-up calls per era, then ${opts.warmup} per era and concurrency), concurrency ${opts.concurrency.join(' and ')}, ` +
      `eras ${opts.eras.join(' and ')}; Node ${process.version}; upstream and gateways in child processes, ` +
      `gateway CPU from /proc/<pid>/stat (${CLOCK_TICKS} ticks/s); ${cpus().length} CPUs, ` +
      `load average ${loadavg()[0]?.toFixed(2)}`;
    console.log(method);
    for (const era of opts.eras) await warmUp(setups, era, opts.initialWarmup);
    const scenarios: Scenario[] = [];
    for (const era of opts.eras) {
      for (const concurrency of opts.concurrency) {
        scenarios.push(await runScenario(setups, era, concurrency, opts));
      }
    }
    const loadAtEnd = loadavg()[0]?.toFixed(2);
    const audit = await checkAudit(join(dir, 'on', 'gatehouse.db'), (setups[2] as Setup).calls, async () => {
      for (const child of children.splice(1).reverse()) await child.stop();
    });
    const tables = summaryTables(scenarios);
    printSummary(tables);
    console.log(`\nload average at the end: ${loadAtEnd} (${cpus().length} CPUs)`);
    if (opts.profileDir) {
      console.log(`CPU profiles of the gateways: ${opts.profileDir}/gateway-{off,on}.cpuprofile`);
    }
    console.log(`\n${audit.report}`);
    writeResult(values.json, {
      bench: 'access-overhead',
      title: 'Access overhead: authentication, policy and audit per call',
      command: commandLine(),
      startedAt,
      durationMs: performance.now() - started,
      tables,
      charts: charts(scenarios),
      targets: [],
      notes: [
        method.replace(/^access overhead: /, ''),
        `Load average at the end: ${loadAtEnd}.`,
        ...(opts.profileDir
          ? ['The gateways ran under the CPU profiler: their figures include its cost.']
          : []),
        audit.report,
      ],
    });
    return audit.ok ? 0 : 1;
  } finally {
    await Promise.allSettled(children.reverse().map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

const ERA_LABEL: Record<Era, string> = { legacy: '2025-11-25 (session)', modern: '2026-07-28 (stateless)' };

/** The per-setup table and the ratios table: printed, and written with --json. */
function summaryTables(scenarios: Scenario[]): ResultTable[] {
  const perSetup: string[][] = [];
  const ratios: string[][] = [];
  for (const s of scenarios) {
    for (const [name, results] of s.results) {
      perSetup.push([
        ERA_LABEL[s.era],
        String(s.concurrency),
        name,
        spread(
          results.map((r) => r.perSecond),
          0,
        ),
        spread(
          results.map((r) => r.p50),
          2,
        ),
        spread(
          results.map((r) => r.p99),
          2,
        ),
        spread(
          results.map((r) => r.cpuPer1k),
          0,
        ),
      ]);
    }
    const direct = s.results.get('direct') ?? [];
    const off = s.results.get('access off') ?? [];
    const on = s.results.get('access on') ?? [];
    const ratio = (a: RoundResult[], b: RoundResult[], f: (r: RoundResult) => number) =>
      spread(
        a.map((x, i) => f(x) / f(b[i] as RoundResult)),
        2,
        '×',
      );
    ratios.push([
      ERA_LABEL[s.era],
      String(s.concurrency),
      ratio(on, off, (r) => r.perSecond),
      ratio(on, off, (r) => r.p50),
      ratio(on, off, (r) => r.cpuPer1k),
      ratio(on, direct, (r) => r.perSecond),
      ratio(on, direct, (r) => r.p50),
      ratio(off, direct, (r) => r.perSecond),
    ]);
  }
  return [
    {
      title: 'Per setup',
      columns: ['era', 'conc.', 'setup', 'calls/s', 'p50 ms', 'p99 ms', 'gateway CPU ms / 1k calls'],
      rows: perSetup,
      caption: 'Medians over rounds (min–max). CPU: the gateway process, ms per 1,000 calls.',
    },
    {
      title: 'Ratios',
      columns: [
        'era',
        'conc.',
        'on/off calls/s',
        'on/off p50',
        'on/off gateway CPU',
        'on/direct calls/s',
        'on/direct p50',
        'off/direct calls/s',
      ],
      rows: ratios,
      caption: 'Ratios paired per round (the same round of each setup): median (min–max).',
    },
  ];
}

function printSummary([perSetup, ratios]: ResultTable[]): void {
  console.log('\nPer setup: medians over rounds (min–max). CPU: the gateway process, ms per 1,000 calls.\n');
  console.log(markdownRow(perSetup?.columns ?? []));
  console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: |');
  for (const row of perSetup?.rows ?? []) console.log(markdownRow(row));
  console.log('\nRatios, paired per round (same round of each setup): median (min–max).\n');
  console.log(markdownRow(ratios?.columns ?? []));
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of ratios?.rows ?? []) console.log(markdownRow(row));
}

/** Calls/s of every setup, and the gateways' CPU per 1,000 calls, grouped by era and concurrency. */
function charts(scenarios: Scenario[]): ChartSpec[] {
  const group = (s: Scenario) => `${ERA_LABEL[s.era]}, concurrency ${s.concurrency}`;
  return [
    {
      id: 'calls-per-second',
      title: 'tools/call throughput: direct vs access off vs access on',
      unit: 'calls/s',
      series: scenarios.flatMap((s) =>
        [...s.results].map(([name, rounds]) =>
          bar(
            name,
            rounds.map((r) => r.perSecond),
            group(s),
          ),
        ),
      ),
    },
    {
      id: 'gateway-cpu',
      title: 'Gateway CPU per 1,000 calls: access off vs access on',
      unit: 'CPU ms per 1,000 calls',
      series: scenarios.flatMap((s) =>
        [...s.results]
          .filter(([name]) => name !== 'direct')
          .map(([name, rounds]) =>
            bar(
              name,
              rounds.map((r) => r.cpuPer1k),
              group(s),
            ),
          ),
      ),
    },
  ];
}

if (values.upstream) await serveUpstream();
else process.exitCode = await main();
