/**
 * Sessions and principals, through `gatehouse serve` (a child process; API-key authentication,
 * policy, audit on SQLite, metrics on) in front of a stdio many-tools upstream:
 *
 * (a) Memory per idle 2025-era session. Each round starts a fresh gateway (with the inspector on a
 *     loopback port, so the bench can force a full GC and read process.memoryUsage() in it), then
 *     opens sessions step by step — 0, 250, 500, 1,000 (--levels) — each with `initialize` and
 *     `notifications/initialized` over plain HTTP, then left idle (no open connection, no GET
 *     stream). At every level, after a forced GC and a pause: RSS (/proc/<pid>/status VmRSS) and
 *     V8 heap used + external. The slope of a least-squares line through the levels is the memory
 *     per idle session. Then every session lists the tools once (as every client does after
 *     initialize) and the same is read again: what a session keeps after its first request.
 * (b) Authentication cost with 10,000 principals. 10,000 API keys (--keys) are created in the
 *     gateway's key store before it starts; `tools/call` of an echo-like tool (2026-07-28, one
 *     request per call, concurrency --concurrency) is made with the keys used round-robin (each key
 *     comes back only after the key cache's 5 s, so most lookups go to the database) and with one
 *     key (always cached), in interleaved rounds. Per setup: calls/s, p50 and gateway CPU per
 *     1,000 calls; the difference per call (µs of gateway CPU) paired per round.
 *
 *   node bench/sessions.ts [--rounds 3] [--levels 0,250,500,1000] [--keys 10000] [--calls 5000]
 *                          [--auth-rounds 5] [--concurrency 8] [--json FILE]
 *   node bench/sessions.ts --smoke      (a tiny run, a few seconds)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { positiveInt, spread } from './lib/figures.ts';
import { type BenchResult, commandLine, figure, writeResult } from './lib/results.ts';
import { type Child, listOption, loadLine, printResult, stopAll } from './lib/scale-harness.ts';
import {
  type AuthResults,
  type AuthRound,
  authBench,
  KB,
  type Level,
  type SessionOptions,
  type SessionRound,
  sessionRound,
  slope,
} from './lib/sessions-setup.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    levels: { type: 'string', default: '0,250,500,1000' },
    keys: { type: 'string', default: '10000' },
    calls: { type: 'string', default: '5000' },
    'auth-rounds': { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '8' },
    json: { type: 'string' },
    smoke: { type: 'boolean', default: false },
  },
});

const smoke = values.smoke;
const opts: SessionOptions & { rounds: number } = {
  rounds: smoke ? 1 : positiveInt(values.rounds, 'rounds'),
  settleMs: smoke ? 100 : 1_000,
  levels: (smoke ? [0, 20, 40] : listOption(values.levels, 'levels').map(Number)).sort((a, b) => a - b),
  keys: smoke ? 200 : positiveInt(values.keys, 'keys'),
  calls: smoke ? 100 : positiveInt(values.calls, 'calls'),
  authRounds: smoke ? 2 : positiveInt(values['auth-rounds'], 'auth-rounds'),
  concurrency: positiveInt(values.concurrency, 'concurrency'),
};
if (opts.levels.some((n) => !Number.isInteger(n) || n < 0) || opts.levels.length < 2) {
  throw new Error('--levels: at least two non-negative integers');
}
// ---------------------------------------------------------------------------------------------
// Report.

const mb = (bytes: number) => bytes / KB / KB;

function sessionTables(rounds: SessionRound[], result: BenchResult): void {
  const heapOf = (l: Level) => l.heap.used + l.heap.external;
  const rows = opts.levels.map((sessions, i) => {
    const at = rounds.map((r) => r.levels[i] as Level);
    return [
      sessions.toLocaleString('en-US'),
      spread(
        at.map((l) => mb(l.rss)),
        1,
      ),
      spread(
        at.map((l) => mb(l.heap.used)),
        1,
      ),
      spread(
        at.map((l) => mb(l.heap.external)),
        1,
      ),
    ];
  });
  const top = opts.levels.at(-1) as number;
  rows.push([
    `${top.toLocaleString('en-US')}, after one tools/list each`,
    spread(
      rounds.map((r) => mb(r.afterList.rss)),
      1,
    ),
    spread(
      rounds.map((r) => mb(r.afterList.heap.used)),
      1,
    ),
    spread(
      rounds.map((r) => mb(r.afterList.heap.external)),
      1,
    ),
  ]);
  result.tables.push({
    title: 'Gateway memory with idle 2025-11-25 sessions',
    columns: ['sessions', 'RSS MB', 'V8 heap used MB', 'external MB'],
    rows,
    caption: `After a forced full GC and a pause, at each level; medians over ${rounds.length} fresh gateways (min–max).`,
  });
  const rssSlope = rounds.map((r) => slope(r.levels.map((l) => [l.sessions, l.rss])) / KB);
  const heapSlope = rounds.map((r) => slope(r.levels.map((l) => [l.sessions, heapOf(l)])) / KB);
  const last = (r: SessionRound) => r.levels.at(-1) as Level;
  const listRss = rounds.map((r) => (r.afterList.rss - last(r).rss) / top / KB);
  const listHeap = rounds.map((r) => (heapOf(r.afterList) - heapOf(last(r))) / top / KB);
  result.tables.push({
    title: 'Memory per idle session',
    columns: ['measure', 'KB per session'],
    rows: [
      ['RSS, slope over the levels', spread(rssSlope, 1)],
      ['V8 heap used + external, slope over the levels', spread(heapSlope, 1)],
      ['RSS added per session by one tools/list', spread(listRss, 1)],
      ['V8 heap added per session by one tools/list', spread(listHeap, 1)],
    ],
    caption: 'Least-squares slope of memory over the number of open sessions, per round; medians (min–max).',
  });
  result.targets.push({
    name: 'memory per idle 2025-era session (RSS slope)',
    target: '≤ 32 KB',
    measured: `${spread(rssSlope, 1)} KB (heap ${spread(heapSlope, 1)} KB)`,
    pass: figure(rssSlope).median <= 32,
  });
  result.charts.push({
    id: 'memory-per-session',
    title: 'Memory per idle 2025-era session',
    unit: 'KB',
    series: [
      { label: 'RSS', ...figureOf(rssSlope) },
      { label: 'V8 heap + external', ...figureOf(heapSlope) },
      { label: 'RSS, after one tools/list', ...figureOf(listRss.map((x, i) => x + (rssSlope[i] as number))) },
    ],
    reference: { label: 'target', value: 32 },
  });
}

function figureOf(xs: number[]): { value: number; min: number; max: number } {
  const f = figure(xs);
  return { value: f.median, min: f.min, max: f.max };
}

function authTable(auth: AuthResults, result: BenchResult): void {
  const delta = auth.pool.map((r, i) => r.cpuPer1k - (auth.single[i] as AuthRound).cpuPer1k);
  const ratio = auth.pool.map((r, i) => r.perSecond / (auth.single[i] as AuthRound).perSecond);
  const row = (name: string, rs: AuthRound[], extra: string[]) => [
    name,
    spread(
      rs.map((r) => r.perSecond),
      0,
    ),
    spread(
      rs.map((r) => r.p50),
      2,
    ),
    spread(
      rs.map((r) => r.cpuPer1k),
      0,
    ),
    ...extra,
    spread(
      rs.map((r) => r.load),
      2,
    ),
  ];
  result.tables.push({
    title: `Authentication with ${opts.keys.toLocaleString('en-US')} principals: tools/call (2026-07-28, concurrency ${opts.concurrency})`,
    columns: [
      'keys',
      'calls/s',
      'p50 ms',
      'gateway CPU ms / 1k calls',
      'Δ CPU µs / call',
      'calls/s ÷ one key',
      'load',
    ],
    rows: [
      row(`${opts.keys.toLocaleString('en-US')} keys, round-robin (cache cold)`, auth.pool, [
        spread(delta, 1),
        spread(ratio, 2, '×'),
      ]),
      row('one key (cache warm)', auth.single, ['baseline', 'baseline']),
    ],
    caption: `${opts.calls} calls per setup and round, rounds interleaved; Δ paired per round. Key lookups are cached for 5 s per key.`,
  });
  result.notes.push(
    `Creating ${opts.keys.toLocaleString('en-US')} API keys through ApiKeyStore took ${(auth.createMs / 1000).toFixed(1)} s.`,
  );
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-sessions-'));
  const children: Child[] = [];
  try {
    console.log(`sessions and principals: Node ${process.version}; ${loadLine()}`);
    const rounds: SessionRound[] = [];
    for (let r = 0; r < opts.rounds; r++) rounds.push(await sessionRound(opts, dir, r));
    const auth = await authBench(opts, dir, children);
    const result: BenchResult = {
      bench: 'sessions',
      title: 'Sessions and principals: memory per idle session, authentication cost per call',
      command: commandLine(),
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      tables: [],
      charts: [],
      targets: [],
      notes: [
        'Sessions are opened over plain HTTP (initialize + notifications/initialized) and then hold no connection and no GET stream.',
        'The gateway runs with --inspect on loopback for the memory rounds (to force GC and read the heap); the inspector costs the same at every level.',
      ],
    };
    sessionTables(rounds, result);
    authTable(auth, result);
    result.durationMs = Date.now() - startedAt.getTime();
    printResult(result);
    writeResult(values.json, result);
    return 0;
  } finally {
    await stopAll(children);
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
