/**
 * Catalog scale: `tools/list` latency and bytes per role through Gatehouse against the upstreams
 * listed directly, in one run, in interleaved rounds.
 *
 * - 1,000 tools: 20 many-tools upstreams × 50 tools (bench/upstream/many-tools-server.ts; each
 *   definition ~300–600 bytes). Gateway A (`gatehouse serve`, a child) runs them as stdio children,
 *   with API-key authentication, a policy of five roles that see different subsets, audit on SQLite
 *   and metrics on. The baseline: the same 20 servers over Streamable HTTP, each its own process,
 *   listed by the client in parallel and merged (the best a client without a gateway can do).
 * - 500 tools: one upstream of 500 tools over HTTP, listed directly, against gateway B fronting that
 *   very process (same pipeline: key, policy, audit, metrics) — the target: a 500+ tool
 *   `tools/list` through Gatehouse no slower than the upstream itself. Twice: an upstream that
 *   answers prebuilt JSON Schemas (the fastest possible, the strict baseline) and one written the
 *   usual TypeScript-SDK way (McpServer + zod, converted on every list). Gateway B fronts both
 *   (each role sees one of them).
 *
 * A listing follows nextCursor to the end (the gateway pages at server.pageSize, 100 by default;
 * the upstreams answer in one page). Each round runs --lists listings per setup at the given
 * concurrency; the order of the setups rotates every round. Per setup: p50/p99 of a full listing,
 * listings/s, CPU per listing of the serving process (from /proc); ratios to the setup's direct
 * baseline paired per round. Bytes per role are measured once, untimed. Every listing is checked
 * against the tool count its role must see; a wrong count fails the run.
 *
 *   node bench/catalog-scale.ts [--upstreams 20] [--tools 50] [--big 500] [--lists 40]
 *        [--rounds 5] [--concurrency 1,8] [--eras modern,legacy] [--page-size N]
 *        [--cpu-prof-dir DIR] [--json FILE]
 *   node bench/catalog-scale.ts --smoke      (a tiny run, a few seconds)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@modelcontextprotocol/client';
import { type CatalogOptions, type Setup, startSetups } from './lib/catalog-setups.ts';
import { cpuMs, percentile, positiveInt, spread } from './lib/figures.ts';
import { type BenchResult, commandLine, figure, writeResult } from './lib/results.ts';
import {
  type Child,
  connectClient,
  countingFetch,
  type Era,
  erasOption,
  listAllTools,
  listOption,
  loadLine,
  loadNow,
  printResult,
  stopAll,
} from './lib/scale-harness.ts';

const { values } = parseArgs({
  options: {
    upstreams: { type: 'string', default: '20' },
    tools: { type: 'string', default: '50' },
    big: { type: 'string', default: '500' },
    lists: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '1,8' },
    eras: { type: 'string', default: 'modern,legacy' },
    'page-size': { type: 'string' },
    'cpu-prof-dir': { type: 'string' },
    json: { type: 'string' },
    smoke: { type: 'boolean', default: false },
  },
});

const smoke = values.smoke;
const opts: CatalogOptions & { lists: number; rounds: number; concurrency: number[]; eras: Era[] } = {
  upstreams: smoke ? 4 : positiveInt(values.upstreams, 'upstreams'),
  tools: smoke ? 20 : positiveInt(values.tools, 'tools'),
  big: smoke ? 120 : positiveInt(values.big, 'big'),
  lists: smoke ? 3 : positiveInt(values.lists, 'lists'),
  rounds: smoke ? 2 : positiveInt(values.rounds, 'rounds'),
  concurrency: listOption(smoke ? '1,8' : values.concurrency, 'concurrency').map((c) =>
    positiveInt(c, 'concurrency'),
  ),
  eras: erasOption(smoke ? 'modern' : values.eras),
  pageSize: values['page-size'] === undefined ? undefined : positiveInt(values['page-size'], 'page-size'),
  profileDir: values['cpu-prof-dir'],
};

interface Connected {
  clients: Client[];
  /** One full listing (every target, every page); resolves with the number of tools. */
  list(): Promise<number>;
}

async function connectSetup(setup: Setup, era: Era): Promise<Connected> {
  const clients = await Promise.all(
    setup.targets.map((t) => connectClient(t.url, era, { headers: t.headers })),
  );
  const list = async () => {
    const lists = await Promise.all(clients.map((c) => listAllTools(c)));
    return lists.reduce((sum, l) => sum + l.tools.length, 0);
  };
  return { clients, list };
}

interface RoundFigures {
  p50: number;
  p99: number;
  perSecond: number;
  cpuPerList: number;
  load: number;
}

/** `lists` full listings from `concurrency` workers; every listing's count is checked. */
async function measure(
  setup: Setup,
  c: Connected,
  lists: number,
  concurrency: number,
): Promise<RoundFigures> {
  const latencies = new Float64Array(lists);
  let next = 0;
  const cpu = () => setup.pids.reduce((sum, pid) => sum + (cpuMs(pid) ?? Number.NaN), 0);
  const cpuBefore = cpu();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, lists) }, async () => {
      while (next < lists) {
        const i = next++;
        const t0 = performance.now();
        const count = await c.list();
        latencies[i] = performance.now() - t0;
        if (count !== setup.expected)
          throw new Error(`${setup.name}: listed ${count} tools, expected ${setup.expected}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  return {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    perSecond: lists / seconds,
    cpuPerList: (cpu() - cpuBefore) / lists,
    load: loadNow(),
  };
}

interface Bytes {
  tools: number;
  pages: number;
  /** HTTP response bodies of one full listing. */
  wire: number;
  /** The tools arrays as JSON. */
  json: number;
}

/** Untimed: what one full listing costs in bytes (2026-07-28). */
async function bytesOf(setup: Setup): Promise<Bytes> {
  const bytes: Bytes = { tools: 0, pages: 0, wire: 0, json: 0 };
  for (const target of setup.targets) {
    const counter = { bytes: 0 };
    const client = await connectClient(target.url, 'modern', {
      headers: target.headers,
      fetch: countingFetch(counter),
    });
    const start = counter.bytes;
    const listed = await listAllTools(client);
    bytes.wire += counter.bytes - start;
    await client.close();
    bytes.tools += listed.tools.length;
    bytes.pages += listed.pages;
    bytes.json += Buffer.byteLength(JSON.stringify(listed.tools));
  }
  if (bytes.tools !== setup.expected)
    throw new Error(`${setup.name}: listed ${bytes.tools}, expected ${setup.expected}`);
  return bytes;
}

type Results = Map<string, RoundFigures[]>;
const keyOf = (era: Era, concurrency: number, name: string) => `${era}|${concurrency}|${name}`;

/** One era and concurrency: connect, warm up, then rounds with the setup order rotating. */
async function runScenario(setups: Setup[], era: Era, concurrency: number, results: Results): Promise<void> {
  const connected = new Map<Setup, Connected>();
  try {
    for (const setup of setups) {
      const c = await connectSetup(setup, era);
      connected.set(setup, c);
      await measure(setup, c, Math.max(2, Math.ceil(opts.lists / 4)), concurrency);
    }
    for (let r = 0; r < opts.rounds; r++) {
      const line: string[] = [];
      for (let i = 0; i < setups.length; i++) {
        const setup = setups[(i + r) % setups.length] as Setup;
        const figures = await measure(setup, connected.get(setup) as Connected, opts.lists, concurrency);
        const key = keyOf(era, concurrency, setup.name);
        results.set(key, [...(results.get(key) ?? []), figures]);
        line.push(`${setup.name} ${figures.p50.toFixed(1)}`);
      }
      console.log(`  ${era} c=${concurrency} round ${r + 1} (${loadLine()}), p50 ms: ${line.join(' | ')}`);
    }
  } finally {
    await Promise.allSettled(
      [...connected.values()].flatMap((c) => c.clients.map((client) => client.close())),
    );
  }
}

const ERA_LABEL = { modern: '2026-07-28', legacy: '2025-11-25' } as const;

/** Per round, this setup's figure over its baseline's in the same round. */
function paired(
  results: Results,
  era: Era,
  c: number,
  setup: Setup,
  f: (r: RoundFigures) => number,
): number[] {
  const mine = results.get(keyOf(era, c, setup.name)) ?? [];
  const theirs = results.get(keyOf(era, c, setup.baseline ?? setup.name)) ?? [];
  return mine.map((r, i) => f(r) / f(theirs[i] as RoundFigures));
}

function latencyRows(setups: Setup[], results: Results): string[][] {
  const rows: string[][] = [];
  for (const era of opts.eras) {
    for (const c of opts.concurrency) {
      for (const setup of setups) {
        const rs = results.get(keyOf(era, c, setup.name)) ?? [];
        const of = (f: (r: RoundFigures) => number, digits: number) => spread(rs.map(f), digits);
        const ratio = (f: (r: RoundFigures) => number) =>
          setup.baseline === undefined ? 'baseline' : spread(paired(results, era, c, setup, f), 2, '×');
        rows.push([
          ERA_LABEL[era],
          String(c),
          setup.name,
          String(setup.expected),
          of((r) => r.p50, 2),
          of((r) => r.p99, 2),
          of((r) => r.perSecond, 0),
          of((r) => r.cpuPerList, 2),
          ratio((r) => r.p50),
          ratio((r) => r.perSecond),
          of((r) => r.load, 2),
        ]);
      }
    }
  }
  return rows;
}

function report(setups: Setup[], results: Results, bytes: Map<Setup, Bytes>, startedAt: Date): BenchResult {
  const columns = ['era', 'conc.', 'setup', 'tools', 'p50 ms', 'p99 ms', 'listings/s', 'CPU ms / listing'];
  const caption =
    'Medians over rounds (min–max); ratios to the direct baseline paired per round. A listing follows nextCursor to the end. CPU: the gateway, or the upstream process(es) for direct rows.';
  const result: BenchResult = {
    bench: 'catalog-scale',
    title: 'Catalog scale: tools/list latency and bytes per role',
    command: commandLine(),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    tables: (['1000', '500'] as const).map((group) => ({
      title:
        group === '1000'
          ? `tools/list of ${opts.upstreams * opts.tools} tools across ${opts.upstreams} upstreams, per role`
          : `tools/list of ${opts.big} tools from one upstream`,
      columns: [...columns, 'p50 ÷ direct', 'listings/s ÷ direct', 'load'],
      rows: latencyRows(
        setups.filter((s) => s.group === group),
        results,
      ),
      caption,
    })),
    charts: [],
    targets: [],
    notes: [
      `${opts.upstreams} upstreams × ${opts.tools} tools, and upstreams of ${opts.big} tools; ${opts.lists} full listings per setup and round, ${opts.rounds} rounds, setup order rotating.`,
      `Gateway page size: ${opts.pageSize ?? '100 (the default)'}; the upstreams answer in one page. Direct listings of several upstreams run in parallel and are merged.`,
    ],
  };
  const full = [...bytes.entries()].find(([s]) => s.group === '1000' && s.baseline === undefined)?.[1];
  result.tables.push({
    title: 'Bytes of one full tools/list, per role',
    columns: ['setup', 'tools', 'pages', 'response bytes', 'tools JSON bytes', 'of the full catalog'],
    rows: [...bytes.entries()].map(([s, b]) => [
      s.name,
      String(b.tools),
      String(b.pages),
      b.wire.toLocaleString('en-US'),
      b.json.toLocaleString('en-US'),
      s.group === '1000' && full ? `${((b.json / full.json) * 100).toFixed(1)}%` : '–',
    ]),
    caption: 'HTTP response bodies of every page (2026-07-28), and the tools arrays alone as JSON.',
  });
  // The target compares like with like: the same whole catalog, through Gatehouse and direct.
  for (const era of opts.eras) {
    for (const c of opts.concurrency) {
      for (const setup of setups.filter((s) => s.baseline !== undefined)) {
        const base = setups.find((s) => s.name === setup.baseline) as Setup;
        if (setup.expected !== base.expected) continue;
        const latency = c === 1;
        const ratios = paired(results, era, c, setup, latency ? (r) => r.p50 : (r) => 1 / r.perSecond);
        result.targets.push({
          name: `${setup.name} (${setup.expected} tools), ${ERA_LABEL[era]}, c=${c}: ${latency ? 'p50' : 'time per listing'} ÷ direct`,
          target: '≤ 1.00× (no slower than direct)',
          measured: spread(ratios, 2, '×'),
          pass: figure(ratios).median <= 1,
        });
      }
    }
  }
  const era = opts.eras[0] as Era;
  const c = opts.concurrency[0] as number;
  result.charts.push({
    id: 'list-p50',
    title: `tools/list p50, ${ERA_LABEL[era]}, concurrency ${c}`,
    unit: 'ms',
    series: setups.map((s) => {
      const f = figure((results.get(keyOf(era, c, s.name)) ?? []).map((r) => r.p50));
      return { label: s.name, value: f.median, min: f.min, max: f.max, group: `${s.group} tools` };
    }),
  });
  result.charts.push({
    id: 'list-bytes-per-role',
    title: 'Bytes of one full tools/list (tools JSON), per role',
    unit: 'KB',
    series: [...bytes.entries()]
      .filter(([s]) => s.group === '1000')
      .map(([s, b]) => ({ label: s.name, value: b.json / 1024 })),
  });
  return result;
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-catalog-'));
  const children: Child[] = [];
  try {
    const setups = await startSetups(opts, dir, children);
    console.log(
      `catalog scale: ${setups.length} setups, ${opts.lists} listings × ${opts.rounds} rounds, concurrency ${opts.concurrency.join(',')}, eras ${opts.eras.join(',')}; Node ${process.version}; ${loadLine()}`,
    );
    const bytes = new Map<Setup, Bytes>();
    for (const setup of setups) bytes.set(setup, await bytesOf(setup));
    const results: Results = new Map();
    for (const era of opts.eras) {
      for (const c of opts.concurrency) await runScenario(setups, era, c, results);
    }
    const result = report(setups, results, bytes, startedAt);
    printResult(result);
    writeResult(values.json, result);
    if (opts.profileDir) console.log(`CPU profiles: ${opts.profileDir}/gateway-{a,b}.cpuprofile`);
    return 0;
  } finally {
    await stopAll(children);
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
