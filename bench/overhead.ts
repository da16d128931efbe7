/**
 * Per-call overhead (issue 6): `tools/call` of the same upstream (bench/upstream/bench-server.ts)
 * directly and through each proxy, every setup in its own process(es), in one run:
 *
 * - direct:       the client to the bench server over Streamable HTTP: the baseline, with the same
 *                 client HTTP stack as every proxied setup;
 * - direct stdio: the client spawns the bench server and talks stdio (context only);
 * - gatehouse:    `gatehouse serve --config examples/bench/gatehouse.yaml`, the bench server as its
 *                 stdio upstream; full pipeline: API key, policy with a condition, audit to SQLite,
 *                 Prometheus metrics;
 * - mcp-proxy and supergateway (npm, as shipped; supergateway `--stateful`): the same stdio server.
 *
 * Tools: echo (small) and get_deal (a ~5 KB CRM deal with an output schema). Eras: 2025-11-25
 * (one session per worker) and 2026-07-28 (stateless). Concurrency 1 and 8 everywhere; above 8
 * (64 by default) only in the 2026-07-28 era, gatehouse against direct. supergateway runs the
 * 2025 era only: its 2026-07-28 leg spawns an upstream process per request.
 *
 * Per scenario (era × concurrency × tool, in that order: every c8 round runs before any c64 one,
 * so the c8 peak RSS is c8's own) the setups run interleaved rounds (direct, gatehouse,
 * mcp-proxy, supergateway, direct stdio, direct, …) after a warm-up; per round: calls/s, p50/p99,
 * CPU per 1,000 calls of the proxy process alone and of the whole path (every server-side process
 * of the setup, children included, plus this client process), from /proc. Summaries are medians
 * with min–max; ratios to direct are paired per round. Afterwards Gatehouse's audit log must hold
 * exactly one tools/call record per call made through it, or the run exits 1 (missed targets alone
 * do not fail the run: they print FAIL).
 *
 *   node bench/overhead.ts [--calls 1000] [--rounds 5] [--warmup N] [--concurrency 1,8,64]
 *        [--eras legacy,modern] [--tools echo,get_deal]
 *        [--setups direct,direct-stdio,gatehouse,mcp-proxy,supergateway] [--before-bin PATH]
 *        [--cpu-prof-dir DIR] [--json FILE]
 *   (setups not run by default: gatehouse-audit-off, bare-relay; see lib/overhead-setups.ts)
 *   node bench/overhead.ts --soak-seconds 300 [--soak-concurrency 64] [--json FILE]   (the soak alone)
 *   node bench/overhead.ts --smoke [--json FILE]    (a tiny run and a 5 s soak, a few seconds)
 *
 * --before-bin PATH adds the setup "gatehouse before": the gateway CLI of another checkout (the
 * code before a change, e.g. a `git worktree` of main) with the same config, measured in the same
 * interleaved rounds, so before/after figures come from one run.
 *
 * --cpu-prof-dir DIR passes --cpu-prof to the gateway (and to "gatehouse audit off"; NODE_OPTIONS); a profile is written there
 * when it exits. Summarize it with `node bench/lib/cpuprofile-top.ts FILE`.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CLOCK_TICKS, positiveInt } from './lib/figures.ts';
import { packageVersion } from './lib/machine.ts';
import { markdownTable } from './lib/markdown.ts';
import {
  closeClients,
  openClients,
  type RoundResult,
  runRound,
  TOOLS,
  type ToolName,
} from './lib/overhead-measure.ts';
import {
  beforeAfterNotes,
  ERA_LABEL,
  type Scenario,
  scenarioCharts,
  scenarioTables,
  scenarioTargets,
} from './lib/overhead-report.ts';
import {
  type Era,
  GATEHOUSE_CONFIG,
  isGatehouse,
  peerInstalled,
  ROOT,
  SETUP_NAMES,
  type Setup,
  type SetupName,
  startSetups,
} from './lib/overhead-setups.ts';
import { runSoak, type SoakResult } from './lib/overhead-soak.ts';
import {
  type BenchResult,
  commandLine,
  type ResultTable,
  type TargetCheck,
  writeResult,
} from './lib/results.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string' },
    concurrency: { type: 'string', default: '1,8,64' },
    eras: { type: 'string', default: 'legacy,modern' },
    tools: { type: 'string', default: TOOLS.join(',') },
    setups: { type: 'string', default: 'direct,gatehouse,mcp-proxy,supergateway,direct-stdio' },
    smoke: { type: 'boolean', default: false },
    'soak-seconds': { type: 'string' },
    'soak-concurrency': { type: 'string', default: '64' },
    'cpu-prof-dir': { type: 'string' },
    'before-bin': { type: 'string' },
    json: { type: 'string' },
  },
});

/** Above this, a concurrency runs in the 2026-07-28 era only, gatehouse against direct. */
const PEER_MAX_CONCURRENCY = 8;

function listOption(value: string, what: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new Error(`--${what} needs at least one value`);
  return items;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`--${what}: ${value} is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

interface Options {
  calls: number;
  rounds: number;
  warmup: number;
  concurrency: number[];
  eras: Era[];
  tools: ToolName[];
  setups: SetupName[];
  profileDir: string | undefined;
  beforeBin: string | undefined;
  soakSeconds: number | undefined;
  soakConcurrency: number;
  notes: string[];
}

function options(): Options {
  const smoke = values.smoke;
  const calls = smoke ? 50 : positiveInt(values.calls, 'calls');
  const notes: string[] = [];
  let setups = listOption(values.setups, 'setups').map((s) =>
    oneOf(SETUP_NAMES.find((name) => name.replaceAll(' ', '-') === s) ?? s, SETUP_NAMES, 'setups'),
  );
  for (const peer of ['mcp-proxy', 'supergateway'] as const) {
    if (setups.includes(peer) && !peerInstalled(peer)) {
      if (!smoke) throw new Error(`${peer} is not installed: run npm install at the repository root`);
      setups = setups.filter((s) => s !== peer);
      notes.push(`${peer} is not installed: left out of this smoke run.`);
    }
  }
  const beforeBin = values['before-bin'];
  if (beforeBin !== undefined && !setups.includes('gatehouse before')) {
    setups.splice(setups.indexOf('gatehouse') + 1, 0, 'gatehouse before');
    notes.push(
      `"gatehouse before" is the gateway of ${beforeBin}, with the same config, in the same rounds.`,
    );
  }
  return {
    calls,
    rounds: smoke ? 1 : positiveInt(values.rounds, 'rounds'),
    warmup: smoke ? 10 : positiveInt(values.warmup ?? String(Math.max(50, Math.round(calls / 5))), 'warmup'),
    concurrency: smoke
      ? [1, 8]
      : listOption(values.concurrency, 'concurrency').map((c) => positiveInt(c, 'concurrency')),
    eras: listOption(values.eras, 'eras').map((e) => oneOf(e, ['legacy', 'modern'] as const, 'eras')),
    tools: smoke ? ['echo'] : listOption(values.tools, 'tools').map((t) => oneOf(t, TOOLS, 'tools')),
    setups,
    profileDir: values['cpu-prof-dir'],
    beforeBin,
    soakSeconds: smoke
      ? 5
      : values['soak-seconds'] === undefined
        ? undefined
        : positiveInt(values['soak-seconds'], 'soak-seconds'),
    soakConcurrency: positiveInt(values['soak-concurrency'], 'soak-concurrency'),
    notes,
  };
}

function roundLine(name: string, r: RoundResult): string {
  const proxy = Number.isFinite(r.proxyCpuPer1k)
    ? ` proxy ${r.proxyCpuPer1k.toFixed(0)} (main thread ${r.proxyMainCpuPer1k.toFixed(0)})`
    : '';
  return `${name} ${Math.round(r.perSecond)}/s p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} ms, cpu/1k${proxy} path ${r.pathCpuPer1k.toFixed(0)}`;
}

/** The setups measured in one scenario. */
function setupsFor(setups: Setup[], era: Era, concurrency: number): Setup[] {
  return setups.filter(
    (s) =>
      s.eras.includes(era) &&
      (concurrency <= PEER_MAX_CONCURRENCY ||
        (era === 'modern' && (s.name === 'direct' || s.name.startsWith('gatehouse')))),
  );
}

async function runScenario(
  setups: Setup[],
  era: Era,
  tool: ToolName,
  concurrency: number,
  opts: Options,
): Promise<Scenario> {
  const scenario: Scenario = { era, tool, concurrency, results: new Map(setups.map((s) => [s.name, []])) };
  const clients = new Map<SetupName, Awaited<ReturnType<typeof openClients>>>();
  try {
    for (const setup of setups) {
      const opened = await openClients(setup, era, concurrency);
      clients.set(setup.name, opened);
      await runRound(setup, opened, tool, opts.warmup);
    }
    for (let r = 0; r < opts.rounds; r++) {
      const line: string[] = [];
      for (const setup of setups) {
        const result = await runRound(setup, clients.get(setup.name) ?? [], tool, opts.calls);
        scenario.results.get(setup.name)?.push(result);
        line.push(roundLine(setup.name, result));
      }
      console.log(
        `  ${era} ${tool} c${concurrency} round ${r + 1} (load ${loadavg()[0]?.toFixed(2)}): ${line.join(' | ')}`,
      );
    }
  } finally {
    for (const opened of clients.values()) await closeClients(opened);
  }
  return scenario;
}

function printTables(tables: ResultTable[]): void {
  for (const table of tables) {
    console.log(`\n${table.title}\n\n${markdownTable(table.columns, table.rows)}`);
    if (table.caption) console.log(`\n${table.caption}`);
  }
}

/** PASS or FAIL per target; a smoke run prints its figures without judging them (too few samples). */
function printTargets(targets: TargetCheck[], smoke: boolean): void {
  console.log(
    smoke
      ? '\nTargets (not judged: a smoke run is far too short for them; run without --smoke to measure):'
      : '\nTargets:',
  );
  for (const t of targets) {
    const verdict = smoke ? '-   ' : t.pass ? 'PASS' : 'FAIL';
    console.log(`${verdict}  ${t.name}: ${t.measured} (target ${t.target})`);
  }
}

interface Measured {
  tables: ResultTable[];
  charts: BenchResult['charts'];
  targets: TargetCheck[];
  notes: string[];
  ok: boolean;
}

async function measureOverhead(opts: Options): Promise<Measured> {
  const notes = [
    `Each setup in its own process(es): bench server, gatehouse (${GATEHOUSE_CONFIG}), mcp-proxy ${packageVersion(ROOT, 'mcp-proxy') ?? '?'}, supergateway ${packageVersion(ROOT, 'supergateway') ?? '?'} --stateful; the client is this process (@modelcontextprotocol/client ${packageVersion(ROOT, '@modelcontextprotocol/client') ?? '?'}).`,
    `${opts.calls} calls × ${opts.rounds} rounds per setup and scenario after ${opts.warmup} warm-up calls (plus ${opts.warmup * 5} per setup, tool and era at the start); CPU from /proc/<pid>/stat (${CLOCK_TICKS} ticks/s); ${cpus().length} CPUs; Node ${process.version}.`,
    'The baseline "direct" is the client talking Streamable HTTP to the bench server, whose own HTTP stack is part of the direct path; behind Gatehouse and the peers the same server speaks stdio, which costs it less. So a proxied whole path can use less CPU than direct: the "direct stdio" row (the client spawning the server) is the floor for context. Gatehouse answers plain calls on its call lane (server.callLane, on by default; docs/architecture.md).',
    'supergateway is measured in the 2025 era only: its 2026-07-28 leg (and its stateless mode) spawns a new upstream process per request. mcp-proxy serves 2026-07-28 (relayed to its one stdio child) and is measured in both eras.',
    `Concurrency above ${PEER_MAX_CONCURRENCY}: 2026-07-28 only, gatehouse against direct.`,
    ...opts.notes,
  ];
  console.log(
    `per-call overhead: ${notes.join(' ')}\nload average at the start: ${loadavg()[0]?.toFixed(2)}`,
  );
  const setups = await startSetups(opts.setups, opts.profileDir, opts.beforeBin);
  let scenarios: Scenario[];
  let audit: { ok: boolean; lines: string[] };
  try {
    try {
      scenarios = await runScenarios(setups, opts);
    } finally {
      for (const setup of [...setups].reverse()) await setup.stop();
    }
    audit = checkAudits(setups);
  } finally {
    for (const setup of setups.filter(isGatehouse)) setup.removeData();
  }
  const beforeAfter = beforeAfterNotes(scenarios);
  for (const line of beforeAfter) console.log(line);
  notes.push(...audit.lines, ...beforeAfter);
  notes.push(`load average at the end: ${loadavg()[0]?.toFixed(2)}`);
  if (opts.profileDir)
    notes.push(
      `CPU profile of the gateway written to ${opts.profileDir} (this run's figures include the profiler's cost).`,
    );
  return {
    tables: scenarioTables(scenarios),
    charts: scenarioCharts(scenarios),
    targets: scenarioTargets(scenarios),
    notes,
    ok: audit.ok,
  };
}

/**
 * Warm-up of every setup in each era, then every scenario (era × concurrency × tool) in turn. Both
 * tools run at one concurrency before the next: a process keeps its memory high-water mark, so a
 * concurrency-8 round after a concurrency-64 one would report the peak of c64 as its own (the
 * peak RSS target is at c8; the c64 rows give theirs).
 */
async function runScenarios(setups: Setup[], opts: Options): Promise<Scenario[]> {
  const scenarios: Scenario[] = [];
  for (const era of opts.eras) {
    for (const setup of setups.filter((s) => s.eras.includes(era))) {
      const clients = await openClients(setup, era, 8);
      try {
        for (const tool of opts.tools) await runRound(setup, clients, tool, opts.warmup * 5);
      } finally {
        await closeClients(clients);
      }
    }
    for (const concurrency of opts.concurrency) {
      for (const tool of opts.tools) {
        const these = setupsFor(setups, era, concurrency);
        if (these.length > 0) scenarios.push(await runScenario(these, era, tool, concurrency, opts));
      }
    }
  }
  return scenarios;
}

/** Gatehouse's audit log (read once it has stopped) must hold one ok tools/call record per call made. */
function checkAudits(setups: Setup[]): { ok: boolean; lines: string[] } {
  let ok = true;
  const lines: string[] = [];
  for (const setup of setups.filter(isGatehouse)) {
    const audited = setup.auditedCalls();
    if (audited === null) continue;
    const matches = audited.total === setup.calls && audited.ok === setup.calls;
    ok &&= matches;
    lines.push(
      `gatehouse audit: ${audited.total} tools/call records (${audited.ok} ok) for ${setup.calls} calls made → ${matches ? 'OK' : 'MISMATCH'}`,
    );
    console.log(`\n${lines.at(-1)}`);
  }
  return { ok, lines };
}

async function soak(opts: Options, seconds: number): Promise<SoakResult> {
  const smoke = values.smoke;
  console.log(
    `\nsoak: ${ERA_LABEL.modern} through gatehouse at concurrency ${opts.soakConcurrency} for ${seconds} s`,
  );
  return runSoak({
    seconds,
    warmupSeconds: smoke ? 1 : Math.min(30, Math.max(5, Math.round(seconds / 10))),
    sampleSeconds: smoke ? 1 : 5,
    concurrency: opts.soakConcurrency,
    ...(opts.profileDir === undefined ? {} : { cpuProfileDir: opts.profileDir }),
  });
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const opts = options();
  const soakOnly = !values.smoke && opts.soakSeconds !== undefined;
  const parts: Measured[] = [];
  if (!soakOnly) parts.push(await measureOverhead(opts));
  if (opts.soakSeconds !== undefined) {
    const result = await soak(opts, opts.soakSeconds);
    parts.push({ ...result, ok: result.auditOk });
  }
  const result: BenchResult = {
    bench: soakOnly ? 'overhead-soak' : 'overhead',
    title: soakOnly
      ? 'Stateless soak through Gatehouse: throughput and memory over time'
      : 'Per-call overhead: direct vs Gatehouse (full pipeline) vs mcp-proxy and supergateway',
    command: commandLine(),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    tables: parts.flatMap((p) => p.tables),
    charts: parts.flatMap((p) => p.charts),
    targets: parts.flatMap((p) => p.targets),
    notes: parts.flatMap((p) => p.notes),
  };
  printTables(result.tables);
  printTargets(result.targets, values.smoke === true);
  writeResult(values.json, result);
  return parts.every((p) => p.ok) ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`overhead: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
}
