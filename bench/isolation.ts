/**
 * Failure isolation: does a faulty upstream slow down calls to a healthy one behind the same
 * gateway? One gateway (`gatehouse serve`, a child process; open access, audit on SQLite, metrics
 * on) fronts two stdio fault-servers (packages/gateway/test/fixtures/fault-server.ts):
 *
 * - healthy:   mode ok, `required: true`, default resilience settings;
 * - neighbour: short, realistic resilience settings (timeoutMs 500, breaker 5 in a row, half-open
 *              after 1 s, health probe every 500 ms with a 500 ms timeout, maxInFlight 16,
 *              queue 16, retries 3 attempts) and a FAULT_MODE_FILE the bench writes.
 *
 * Load: `--concurrency` workers call healthy_echo back to back (measured); in the configurations
 * with a called neighbour, every `--share`-th call (default 1 in 4) goes to neighbour_echo as
 * well, fired concurrently without waiting for it (at most 64 such calls outstanding), so the
 * neighbour's timeouts, retries, breaker, bulkhead and health probes are all at work while the
 * healthy upstream is measured. Configurations, in one gateway (the neighbour's mode file is
 * switched between rounds):
 *
 * - clean:    the neighbour is ok and not called (the baseline);
 * - control:  the neighbour is ok and called (the cost of the extra calls alone, no fault);
 * - hung:     the neighbour's mode is `hang` (tools/call and ping never answer);
 * - flapping: a timer toggles the neighbour's mode between `error` and `ok` every --flap-ms.
 *
 * Before every round the neighbour is made healthy again (mode ok, reconnected after an eviction,
 * breaker closed by a successful call), so each round starts from the same state and sees the
 * fault arrive: the timeouts that fill its bulkhead, the breaker opening, and (in rounds longer
 * than ~3 s, hence the default of 5,000 calls) its eviction after failed probes and the restart of
 * its stdio child. Rounds are interleaved (the order of the configurations rotates each round) so
 * machine noise hits all of them alike. Per configuration: medians over rounds (min–max) of the
 * healthy upstream's calls/s, p50 and p99, and of the gateway's event-loop delay (p99 and max,
 * from its /metrics, reset at each scrape) and CPU time per 1,000 calls answered (from
 * /proc/<pid>/stat); ratios paired per round to clean and to control; how the neighbour's calls
 * ended (the `_meta["dev.gatehouse/error"].code` of isError results, or the JSON-RPC error code)
 * and what the gateway's metrics counted for it (timeouts, retries, breaker openings, bulkhead
 * rejections, evictions, restarts). Every healthy call must succeed, and the audit log must hold
 * exactly one tools/call record per call answered (healthy and neighbour), with an intact chain;
 * otherwise the run exits non-zero.
 *
 * On a machine the load saturates (closed loop at concurrency 8 usually does), the extra
 * neighbour calls alone take CPU from the healthy ones: compare hung/flapping with control to see
 * what the fault itself costs.
 *
 *   node bench/isolation.ts [--calls 5000] [--rounds 5] [--concurrency 8] [--eras legacy,modern]
 *                           [--share 4] [--flap-ms 200] [--warmup <calls/5>] [--no-control]
 *   node bench/isolation.ts --smoke     (or ISOLATION_SMOKE=1: 40 calls, 1 round, ~10 s)
 *
 * --json FILE also writes the summary tables and charts as a BenchResult (bench/lib/results.ts).
 *
 * Environment knobs (used when the option is absent): ISOLATION_CALLS, ISOLATION_ROUNDS,
 * ISOLATION_CONCURRENCY, ISOLATION_ERAS.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { SqliteAuditStore } from '../packages/gateway/src/audit/sqlite-store.ts';
import { verifyChain } from '../packages/gateway/src/audit/verify.ts';
import { WireErrors } from '../packages/gateway/src/errors/registry.ts';
import { untilAuditCommitted } from './lib/audit-committed.ts';
import { cpuMs, percentile, positiveInt, spread } from './lib/figures.ts';
import { markdownRow } from './lib/markdown.ts';
import { type ChartSpec, commandLine, type ResultTable, writeResult } from './lib/results.ts';
import { type Child, GATEHOUSE_BIN, startChild } from './lib/scale-harness.ts';
import { bar } from './lib/series.ts';

const FAULT_SERVER = fileURLToPath(
  new URL('../packages/gateway/test/fixtures/fault-server.ts', import.meta.url),
);
const env = process.env;

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: env.ISOLATION_CALLS ?? '5000' },
    rounds: { type: 'string', default: env.ISOLATION_ROUNDS ?? '5' },
    concurrency: { type: 'string', default: env.ISOLATION_CONCURRENCY ?? '8' },
    eras: { type: 'string', default: env.ISOLATION_ERAS ?? 'legacy,modern' },
    share: { type: 'string', default: '4' },
    'flap-ms': { type: 'string', default: '200' },
    warmup: { type: 'string' },
    'no-control': { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: env.ISOLATION_SMOKE === '1' },
    json: { type: 'string' },
  },
});

type Era = 'legacy' | 'modern';
type ConfigName = 'clean' | 'control' | 'hung' | 'flapping';

const DESCRIPTION: Record<ConfigName, string> = {
  clean: 'clean (neighbour ok, not called)',
  control: 'control (neighbour ok, called)',
  hung: 'hung neighbour',
  flapping: 'flapping neighbour',
};

/** The neighbour's calls outstanding at most; more are skipped (counted) rather than queued here. */
const MAX_OUTSTANDING = 64;

function atLeastTwo(n: number): number {
  if (n < 2) throw new Error('--share must be at least 2 (1 neighbour call in every <share> calls)');
  return n;
}

interface Options {
  calls: number;
  rounds: number;
  concurrency: number;
  eras: Era[];
  share: number;
  flapMs: number;
  warmup: number;
  configs: ConfigName[];
}

function options(): Options {
  const smoke = values.smoke;
  const calls = smoke ? 40 : positiveInt(values.calls, 'calls');
  const eras = values.eras
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => {
      if (e !== 'legacy' && e !== 'modern') throw new Error(`--eras: legacy or modern, found ${e}`);
      return e as Era;
    });
  if (eras.length === 0) throw new Error('--eras needs at least one value');
  return {
    calls,
    rounds: smoke ? 1 : positiveInt(values.rounds, 'rounds'),
    concurrency: positiveInt(values.concurrency, 'concurrency'),
    eras,
    share: atLeastTwo(positiveInt(values.share, 'share')),
    flapMs: positiveInt(values['flap-ms'], 'flap-ms'),
    warmup: smoke ? 20 : positiveInt(values.warmup ?? String(Math.max(100, calls / 5)), 'warmup'),
    configs: values['no-control'] ? ['clean', 'hung', 'flapping'] : ['clean', 'control', 'hung', 'flapping'],
  };
}

// ---------------------------------------------------------------------------------------------
// The gateway child process.

function gatewayYaml(storage: string, modeFile: string): string {
  const fault = (name: string, extraEnv: string) => `  - name: ${name}
    transport: stdio
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(FAULT_SERVER)}]
    env: { FAULT_NAME: ${name}${extraEnv} }
    restart: { initialDelayMs: 200, maxDelayMs: 2000 }
`;
  return `server: { host: 127.0.0.1, port: 0 }
logging: { level: warn }
storage: { path: ${JSON.stringify(storage)} }
observability: { metrics: { enabled: true } }
auth:
  anonymous: { roles: [everyone] }
policy:
  groups:
    everything:
      allow: [{ tools: ["*"], resources: ["*"], prompts: ["*"] }]
  roles:
    everyone: { groups: [everything] }
upstreams:
${fault('healthy', '')}    required: true
${fault('neighbour', `, FAULT_MODE_FILE: ${JSON.stringify(modeFile)}`)}    timeoutMs: 500
    maxInFlight: 16
    resilience:
      retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000 }
      breaker: { mode: consecutive, failures: 5, halfOpenAfterMs: 1000 }
      queue: 16
      health: { intervalMs: 500, timeoutMs: 500, evictAfter: 3 }
`;
}

function startGateway(config: string): Promise<Child> {
  return startChild([GATEHOUSE_BIN, 'serve', '--config', config], /Gatehouse MCP endpoint: (\S+)/, 'gateway');
}

interface UpstreamStatus {
  name: string;
  state: string;
  breaker: string;
}

async function readyz(url: string): Promise<{ status: number; upstreams: UpstreamStatus[] }> {
  const response = await fetch(new URL('/readyz', url));
  const body = (await response.json().catch(() => ({}))) as { upstreams?: UpstreamStatus[] };
  return { status: response.status, upstreams: body.upstreams ?? [] };
}

async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const NEIGHBOUR_COUNTERS = {
  timeouts: 'gatehouse_upstream_timeouts_total',
  retries: 'gatehouse_upstream_retries_total',
  'breaker opened': 'gatehouse_breaker_transitions_total',
  rejections: 'gatehouse_bulkhead_rejections_total',
  evictions: 'gatehouse_upstream_evictions_total',
  restarts: 'gatehouse_upstream_restarts_total',
} as const;
type CounterName = keyof typeof NEIGHBOUR_COUNTERS;

interface Scrape {
  counters: Record<CounterName, number>;
  /** The gateway's event-loop delay since the previous scrape (prom-client resets it per scrape), ms. */
  loopP99: number;
  loopMax: number;
}

/** The neighbour's resilience counters (breaker: transitions into open only) and event-loop delay. */
async function scrape(url: string): Promise<Scrape> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const gauge = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1)) * 1000;
  };
  const out = {} as Record<CounterName, number>;
  for (const [key, metric] of Object.entries(NEIGHBOUR_COUNTERS) as [CounterName, string][]) {
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${metric}{`) || !line.includes('upstream="neighbour"')) continue;
      if (key === 'breaker opened' && !line.includes('state="open"')) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    out[key] = sum;
  }
  return {
    counters: out,
    loopP99: gauge('gatehouse_nodejs_eventloop_lag_p99_seconds'),
    loopMax: gauge('gatehouse_nodejs_eventloop_lag_max_seconds'),
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring.

async function connect(url: string, era: Era): Promise<Client> {
  const client = new Client(
    { name: 'gatehouse-bench-isolation', version: '1.0.0' },
    { versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

const CODE_NAMES = new Map<number, string>(Object.entries(WireErrors).map(([name, e]) => [e.code, name]));

/** How a neighbour call ended: ok, or the name of its error code (isError _meta or JSON-RPC). */
function outcomeOf(
  result: { isError?: boolean; _meta?: Record<string, unknown> } | undefined,
  error: unknown,
) {
  let code: number | undefined;
  if (error !== undefined) {
    code = (error as { code?: unknown }).code as number | undefined;
    if (typeof code !== 'number') return `client error (${error instanceof Error ? error.message : error})`;
  } else if (result?.isError) {
    code = (result._meta?.['dev.gatehouse/error'] as { code?: number } | undefined)?.code;
    if (code === undefined) return 'isError without code';
  } else return 'ok';
  return `${CODE_NAMES.get(code) ?? 'code'} ${code}`;
}

interface Tally {
  /** Healthy calls that failed (must stay 0). */
  healthyFailures: string[];
  healthyCalls: number;
  /** Neighbour calls that got an answer (each must have its audit record). */
  neighbourAnswered: number;
}

function count(map: Map<string, number>, key: string, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

/** Calls neighbour_echo once and records how it ended. */
async function callNeighbour(client: Client, tally: Tally, outcomes?: Map<string, number>): Promise<string> {
  let result: { isError?: boolean; _meta?: Record<string, unknown> } | undefined;
  let error: unknown;
  try {
    result = (await client.callTool({ name: 'neighbour_echo', arguments: { text: 'n' } })) as typeof result;
  } catch (e) {
    error = e;
  }
  const outcome = outcomeOf(result, error);
  if (!outcome.startsWith('client error')) tally.neighbourAnswered++;
  if (outcomes) count(outcomes, outcome);
  return outcome;
}

interface RoundResult {
  perSecond: number;
  p50: number;
  p99: number;
  neighbour: Map<string, number>;
  skipped: number;
  counters: Record<CounterName, number>;
  /** The gateway's event-loop delay during the round, ms. */
  loopP99: number;
  loopMax: number;
  /** Gateway CPU ms per 1,000 calls answered in the round (healthy and neighbour). */
  cpuPer1k: number;
}

/**
 * `calls` healthy calls from `concurrency` workers, measured; with `neighbour`, every `share`-th
 * call also fires a neighbour call that nobody waits for (awaited after the clock stops).
 */
async function runLoad(
  client: Client,
  tally: Tally,
  calls: number,
  concurrency: number,
  neighbour: { share: number } | null,
): Promise<Omit<RoundResult, 'counters' | 'loopP99' | 'loopMax' | 'cpuPer1k'>> {
  const latencies = new Float64Array(calls);
  const outcomes = new Map<string, number>();
  const outstanding = new Set<Promise<unknown>>();
  let skipped = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, calls) }, async () => {
      while (next < calls) {
        const i = next++;
        if (neighbour !== null && i % (neighbour.share - 1) === 0) {
          if (outstanding.size >= MAX_OUTSTANDING) skipped++;
          else {
            const p = callNeighbour(client, tally, outcomes).finally(() => outstanding.delete(p));
            outstanding.add(p);
          }
        }
        const text = `call ${tally.healthyCalls + i}`;
        const t0 = performance.now();
        try {
          const result = await client.callTool({ name: 'healthy_echo', arguments: { text } });
          const content = result.content as { type: string; text?: string }[] | undefined;
          if (result.isError || content?.[0]?.text !== `healthy: ${text}`) {
            tally.healthyFailures.push(JSON.stringify(result).slice(0, 300));
          }
        } catch (error) {
          tally.healthyFailures.push(error instanceof Error ? error.message : String(error));
        }
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  tally.healthyCalls += calls;
  await Promise.allSettled([...outstanding]);
  latencies.sort();
  return {
    perSecond: calls / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    neighbour: outcomes,
    skipped,
  };
}

/** Puts the neighbour back in shape: mode ok, connected and admitted, breaker closed. */
async function resetNeighbour(url: string, client: Client, tally: Tally, modeFile: string): Promise<void> {
  writeFileSync(modeFile, 'ok');
  await waitUntil('the neighbour to be ready with a closed breaker', 60_000, async () => {
    const neighbour = (await readyz(url)).upstreams.find((u) => u.name === 'neighbour');
    if (neighbour?.state !== 'ready') return false;
    if (neighbour.breaker === 'closed') return true;
    // Open: the next call after halfOpenAfterMs is the trial that closes it.
    await callNeighbour(client, tally);
    await new Promise((r) => setTimeout(r, 200));
    return false;
  });
}

/** Applies a configuration's fault; returns what stops it (the flapping timer). */
function applyFault(config: ConfigName, modeFile: string, flapMs: number): () => void {
  if (config === 'hung') writeFileSync(modeFile, 'hang');
  if (config !== 'flapping') return () => {};
  let mode: 'error' | 'ok' = 'error';
  writeFileSync(modeFile, mode);
  const timer = setInterval(() => {
    mode = mode === 'error' ? 'ok' : 'error';
    writeFileSync(modeFile, mode);
  }, flapMs);
  return () => clearInterval(timer);
}

interface EraResults {
  era: Era;
  results: Map<ConfigName, RoundResult[]>;
}

async function runEra(
  gateway: Child,
  era: Era,
  opts: Options,
  tally: Tally,
  modeFile: string,
): Promise<EraResults> {
  const results = new Map<ConfigName, RoundResult[]>(opts.configs.map((c) => [c, []]));
  const client = await connect(gateway.url, era);
  try {
    // Warm-up: the JIT of the gateway and both upstreams, through both tools.
    await runLoad(client, tally, opts.warmup, opts.concurrency, { share: opts.share });
    for (let r = 0; r < opts.rounds; r++) {
      const order = opts.configs.map((_, k) => opts.configs[(k + r) % opts.configs.length] as ConfigName);
      const line: string[] = [];
      for (const config of order) {
        await resetNeighbour(gateway.url, client, tally, modeFile);
        const before = await scrape(gateway.url);
        const cpuBefore = cpuMs(gateway.pid) ?? Number.NaN;
        const stopFault = applyFault(config, modeFile, opts.flapMs);
        let round: Awaited<ReturnType<typeof runLoad>>;
        try {
          round = await runLoad(
            client,
            tally,
            opts.calls,
            opts.concurrency,
            config === 'clean' ? null : { share: opts.share },
          );
        } finally {
          stopFault();
        }
        const cpu = (cpuMs(gateway.pid) ?? Number.NaN) - cpuBefore;
        const after = await scrape(gateway.url);
        const answered = opts.calls + [...round.neighbour.values()].reduce((a, b) => a + b, 0);
        const counters = {} as Record<CounterName, number>;
        for (const key of Object.keys(after.counters) as CounterName[]) {
          counters[key] = after.counters[key] - before.counters[key];
        }
        const cpuPer1k = (cpu * 1000) / answered;
        results
          .get(config)
          ?.push({ ...round, counters, loopP99: after.loopP99, loopMax: after.loopMax, cpuPer1k });
        line.push(
          `${config} ${Math.round(round.perSecond)}/s p50 ${round.p50.toFixed(2)} p99 ${round.p99.toFixed(2)} ` +
            `loop-max ${after.loopMax.toFixed(0)} cpu/1k ${cpuPer1k.toFixed(0)}`,
        );
      }
      console.log(`  ${era} round ${r + 1} (load ${loadavg()[0]?.toFixed(2)}): ${line.join(' | ')}`);
    }
    await resetNeighbour(gateway.url, client, tally, modeFile);
  } finally {
    await client.close().catch(() => {});
  }
  return { era, results };
}

// ---------------------------------------------------------------------------------------------
// Summaries.

const ERA_LABEL: Record<Era, string> = { legacy: '2025-11-25 (session)', modern: '2026-07-28 (stateless)' };

/** The three summary tables (healthy upstream, ratios, neighbour calls): printed, and written with --json. */
function summaryTables(eras: EraResults[], opts: Options): ResultTable[] {
  return [healthyTable(eras), ratiosTable(eras), neighbourTable(eras, opts)];
}

function printSummary([healthy, ratios, neighbour]: ResultTable[]): void {
  const print = (table: ResultTable | undefined, intro: string, align: string) => {
    console.log(intro);
    console.log(markdownRow(table?.columns ?? []));
    console.log(align);
    for (const row of table?.rows ?? []) console.log(markdownRow(row));
  };
  print(
    healthy,
    '\nHealthy upstream, medians over rounds (min–max):\n',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  );
  print(ratios, `\n${ratios?.caption ?? ''}\n`, '| --- | --- | --- | ---: | ---: | ---: |');
  const counterAlign = Object.keys(NEIGHBOUR_COUNTERS).map(() => '---:');
  print(
    neighbour,
    `\n${neighbour?.caption ?? ''}\n`,
    `| --- | --- | ---: | ---: | --- | ${counterAlign.join(' | ')} |`,
  );
}

function healthyTable(eras: EraResults[]): ResultTable {
  const rows: string[][] = [];
  for (const { era, results } of eras) {
    for (const [config, rounds] of results) {
      rows.push([
        ERA_LABEL[era],
        DESCRIPTION[config],
        spread(
          rounds.map((r) => r.perSecond),
          0,
        ),
        spread(
          rounds.map((r) => r.p50),
          2,
        ),
        spread(
          rounds.map((r) => r.p99),
          2,
        ),
        `${spread(
          rounds.map((r) => r.loopP99),
          0,
        )} / ${spread(
          rounds.map((r) => r.loopMax),
          0,
        )}`,
        spread(
          rounds.map((r) => r.cpuPer1k),
          0,
        ),
      ]);
    }
  }
  return {
    title: 'Healthy upstream',
    columns: [
      'era',
      'configuration',
      'calls/s',
      'p50 ms',
      'p99 ms',
      'gateway event-loop delay p99 / max ms',
      'gateway CPU ms / 1k calls',
    ],
    rows,
    caption: 'Medians over rounds (min–max).',
  };
}

function ratiosTable(eras: EraResults[]): ResultTable {
  const rows: string[][] = [];
  for (const { era, results } of eras) {
    const bases = (['clean', 'control'] as const).filter((b) => results.has(b));
    for (const base of bases) {
      const baseline = results.get(base) ?? [];
      for (const [config, rounds] of results) {
        if (config === 'clean' || config === base) continue;
        const ratio = (f: (r: RoundResult) => number) =>
          spread(
            rounds.map((x, i) => f(x) / f(baseline[i] as RoundResult)),
            2,
            '×',
          );
        rows.push([
          ERA_LABEL[era],
          DESCRIPTION[config],
          base,
          ratio((r) => r.perSecond),
          ratio((r) => r.p50),
          ratio((r) => r.p99),
        ]);
      }
    }
  }
  return {
    title: 'Ratios to clean and to control',
    columns: ['era', 'configuration', 'vs', 'calls/s', 'p50', 'p99'],
    rows,
    caption:
      "Ratios of the healthy upstream's figures, paired per round (same round): median (min–max). " +
      'Against clean: near 1× = isolated. Against control (the same extra calls, to an ok neighbour): ' +
      'what the fault itself costs, apart from the extra load.',
  };
}

function neighbourTable(eras: EraResults[], opts: Options): ResultTable {
  const counterNames = Object.keys(NEIGHBOUR_COUNTERS) as CounterName[];
  const rows: string[][] = [];
  for (const { era, results } of eras) {
    for (const [config, rounds] of results) {
      if (config === 'clean') continue;
      const outcomes = new Map<string, number>();
      for (const r of rounds) for (const [k, n] of r.neighbour) count(outcomes, k, n);
      const sent = [...outcomes.values()].reduce((a, b) => a + b, 0);
      const described = [...outcomes]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k}: ${n}`)
        .join('; ');
      const sums = counterNames.map((k) => rounds.reduce((a, r) => a + r.counters[k], 0));
      rows.push([
        ERA_LABEL[era],
        DESCRIPTION[config],
        String(sent),
        String(rounds.reduce((a, r) => a + r.skipped, 0)),
        described || '–',
        ...sums.map(String),
      ]);
    }
  }
  return {
    title: 'Neighbour calls',
    columns: ['era', 'configuration', 'sent', 'skipped', 'outcomes', ...counterNames],
    rows,
    caption:
      `Neighbour calls (1 in ${opts.share} of all calls, fired alongside the healthy ones; at most ` +
      `${MAX_OUTSTANDING} outstanding), summed over rounds: how they ended, and the gateway's counters for it.`,
  };
}

/** The healthy upstream's calls/s and p99 per configuration, grouped by era. */
function charts(eras: EraResults[]): ChartSpec[] {
  const series = (f: (r: RoundResult) => number) =>
    eras.flatMap(({ era, results }) =>
      [...results].map(([config, rounds]) => bar(DESCRIPTION[config], rounds.map(f), ERA_LABEL[era])),
    );
  return [
    {
      id: 'healthy-calls-per-second',
      title: 'Healthy upstream throughput next to a faulty neighbour',
      unit: 'calls/s',
      series: series((r) => r.perSecond),
    },
    {
      id: 'healthy-p99',
      title: 'Healthy upstream p99 latency next to a faulty neighbour',
      unit: 'ms',
      series: series((r) => r.p99),
    },
  ];
}

/** One tools/call record per answered call, for each tool; the chain verified after the stop. */
async function checkAudit(
  storage: string,
  tally: Tally,
  stopGateway: () => Promise<void>,
): Promise<{ ok: boolean; report: string }> {
  await untilAuditCommitted(storage);
  const db = new DatabaseSync(storage, { readOnly: true });
  const countOf = (target: string) =>
    (
      db
        .prepare("SELECT count(*) AS n FROM audit_log WHERE method = 'tools/call' AND target = ?")
        .get(target) as { n: number }
    ).n;
  const healthy = countOf('healthy_echo');
  const neighbour = countOf('neighbour_echo');
  db.close();
  await stopGateway();
  const store = new SqliteAuditStore({ path: storage });
  await store.init();
  const chain = await verifyChain(store);
  await store.close();
  const ok =
    healthy === tally.healthyCalls &&
    neighbour === tally.neighbourAnswered &&
    chain.ok &&
    tally.healthyFailures.length === 0;
  const chainText = chain.ok ? `verified (${chain.count} records)` : `BROKEN at #${chain.firstBad.seq}`;
  const report =
    `healthy calls failed: ${tally.healthyFailures.length}` +
    (tally.healthyFailures.length ? ` (first: ${tally.healthyFailures[0]})` : '') +
    `\naudit: ${healthy} healthy_echo records for ${tally.healthyCalls} calls, ${neighbour} neighbour_echo ` +
    `records for ${tally.neighbourAnswered} answered calls; chain ${chainText} → ${ok ? 'OK' : 'MISMATCH'}`;
  return { ok, report };
}

async function main(): Promise<number> {
  const opts = options();
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-isolation-'));
  const modeFile = join(dir, 'neighbour.mode');
  const storage = join(dir, 'gatehouse.db');
  const config = join(dir, 'gatehouse.yaml');
  writeFileSync(modeFile, 'ok');
  writeFileSync(config, gatewayYaml(storage, modeFile));
  let gateway: Child | null = null;
  try {
    gateway = await startGateway(config);
    const url = gateway.url;
    await waitUntil('/readyz with both upstreams ready', 30_000, async () => {
      const status = await readyz(url);
      return status.status === 200 && status.upstreams.every((u) => u.state === 'ready');
    });
    const cpu = cpus();
    const method =
      `failure isolation: healthy_echo at concurrency ${opts.concurrency}, ${opts.calls} calls x ${opts.rounds} ` +
      `rounds per configuration (${opts.configs.join(', ')}), after ${opts.warmup} warm-up calls per era; ` +
      `eras ${opts.eras.join(' and ')}; neighbour share 1 in ${opts.share}, flapping every ${opts.flapMs} ms\n` +
      `machine: ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? 'unknown'}), load average ` +
      `${loadavg()[0]?.toFixed(2)}; Node ${process.version}\n` +
      `command: node ${process.argv
        .slice(1)
        .map((a, i) => (i === 0 ? 'bench/isolation.ts' : a))
        .join(' ')}`;
    console.log(method);
    const tally: Tally = {
      healthyFailures: [],
      healthyCalls: 0,
      neighbourAnswered: 0,
    };
    const eras: EraResults[] = [];
    for (const era of opts.eras) eras.push(await runEra(gateway, era, opts, tally, modeFile));
    const loadAtEnd = loadavg()[0]?.toFixed(2);
    const running = gateway;
    const audit = await checkAudit(storage, tally, () => running.stop());
    const tables = summaryTables(eras, opts);
    printSummary(tables);
    console.log(`\nload average at the end: ${loadAtEnd} (${cpu.length} CPUs)`);
    console.log(`\n${audit.report}`);
    writeResult(values.json, {
      bench: 'isolation',
      title: 'Failure isolation: a healthy upstream next to a faulty neighbour',
      command: commandLine(),
      startedAt,
      durationMs: performance.now() - started,
      tables,
      charts: charts(eras),
      targets: [],
      notes: [
        ...method.split('\n').slice(0, 2),
        `Load average at the end: ${loadAtEnd}.`,
        ...audit.report.split('\n'),
      ],
    });
    return audit.ok ? 0 : 1;
  } finally {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
