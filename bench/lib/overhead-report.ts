/**
 * What the overhead benchmark reports from its rounds: a table per era and tool (rows per setup
 * and concurrency: medians with min–max, ratios to direct paired per round), the charts (calls/s
 * and whole-path CPU per 1,000 calls at concurrency 8, per era) and the targets.
 */
import { spread } from './figures.ts';
import type { RoundResult, ToolName } from './overhead-measure.ts';
import type { Era, SetupName } from './overhead-setups.ts';
import type { ChartSpec, ResultTable, TargetCheck } from './results.ts';
import { figure } from './results.ts';
import { bar } from './series.ts';

export interface Scenario {
  era: Era;
  tool: ToolName;
  concurrency: number;
  /** Rounds per setup, in round order (round r of each setup ran back to back). */
  results: Map<SetupName, RoundResult[]>;
}

export const ERA_LABEL: Record<Era, string> = {
  legacy: '2025-11-25 (sessions)',
  modern: '2026-07-28 (stateless)',
};
const TOOL_LABEL: Record<ToolName, string> = { echo: 'echo (small)', get_deal: 'get_deal (~5 KB deal)' };
const PEERS: SetupName[] = ['mcp-proxy', 'supergateway'];
export const TARGET_CONCURRENCY = 8;

/** Per-round ratios a/b of one metric (rounds paired by index). */
function pairedRatios(
  a: RoundResult[],
  b: RoundResult[] | undefined,
  f: (r: RoundResult) => number,
): number[] {
  if (b === undefined) return [];
  return a.map((x, i) => {
    const y = b[i];
    return y === undefined ? Number.NaN : f(x) / f(y);
  });
}

const calls = (r: RoundResult) => r.perSecond;
const path = (r: RoundResult) => r.pathCpuPer1k;

function tableRow(
  concurrency: number,
  name: SetupName,
  rounds: RoundResult[],
  direct: RoundResult[] | undefined,
): string[] {
  const of = (f: (r: RoundResult) => number, digits: number) => spread(rounds.map(f), digits);
  const toDirect = (f: (r: RoundResult) => number) =>
    name === 'direct' ? '1' : spread(pairedRatios(rounds, direct, f), 2, '×');
  return [
    String(concurrency),
    name,
    of(calls, 0),
    toDirect(calls),
    of((r) => r.p50, 2),
    of((r) => r.p99, 2),
    of((r) => r.proxyCpuPer1k, 0),
    of((r) => r.proxyMainCpuPer1k, 0),
    of(path, 0),
    toDirect(path),
    of((r) => r.clientCpuPer1k, 0),
    name === 'direct' ? '–' : of((r) => r.proxyRssMb, 0),
    of((r) => r.load, 2),
  ];
}

export function scenarioTables(scenarios: Scenario[]): ResultTable[] {
  const tables: ResultTable[] = [];
  for (const era of ['legacy', 'modern'] as const) {
    for (const tool of ['echo', 'get_deal'] as const) {
      const mine = scenarios.filter((s) => s.era === era && s.tool === tool);
      if (mine.length === 0) continue;
      const rows: string[][] = [];
      for (const s of mine) {
        const direct = s.results.get('direct');
        for (const [name, rounds] of s.results) rows.push(tableRow(s.concurrency, name, rounds, direct));
      }
      tables.push({
        title: `tools/call ${TOOL_LABEL[tool]}, ${ERA_LABEL[era]}`,
        columns: [
          'conc.',
          'setup',
          'calls/s',
          'calls/s ÷ direct',
          'p50 ms',
          'p99 ms',
          'proxy CPU ms/1k calls',
          'of it, main thread',
          'whole-path CPU ms/1k calls',
          'whole path ÷ direct',
          'client CPU ms/1k',
          'proxy peak RSS MB',
          'load avg',
        ],
        rows,
        caption:
          'Medians over interleaved rounds (min–max). Ratios are paired per round (setup ÷ direct of the same round). ' +
          'Proxy CPU: the proxy process alone; of it, main thread: its JavaScript thread (the rest is its other threads, for Node mostly the garbage collector). Whole path: every server-side process (proxy, its upstream children, ' +
          'or the bench server for direct) plus the client process, from /proc and process.cpuUsage(). ' +
          'Proxy peak RSS: the proxy process resident memory, its highest sample (every 100 ms) during the round.',
      });
    }
  }
  return tables;
}

export function scenarioCharts(scenarios: Scenario[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  for (const era of ['legacy', 'modern'] as const) {
    const at8 = scenarios.filter((s) => s.era === era && s.concurrency === TARGET_CONCURRENCY);
    if (at8.length === 0) continue;
    const throughput: ChartSpec['series'] = [];
    const cpu: ChartSpec['series'] = [];
    for (const s of at8) {
      for (const [name, rounds] of s.results) {
        throughput.push(bar(name, rounds.map(calls), s.tool));
        cpu.push(bar(name, rounds.map(path), s.tool));
      }
    }
    charts.push({
      id: `calls-per-second-c8-${era}`,
      title: `tools/call throughput at concurrency 8, ${ERA_LABEL[era]}`,
      unit: 'calls/s',
      series: throughput,
    });
    charts.push({
      id: `whole-path-cpu-c8-${era}`,
      title: `Whole-path CPU per 1,000 calls at concurrency 8, ${ERA_LABEL[era]}`,
      unit: 'CPU ms / 1,000 calls',
      series: cpu,
    });
  }
  return charts;
}

function ratioTarget(
  name: string,
  target: string,
  values: number[],
  pass: (median: number) => boolean,
): TargetCheck {
  const f = figure(values);
  return {
    name,
    target,
    measured: spread(values, 2, '×'),
    pass: Number.isFinite(f.median) && pass(f.median),
  };
}

/** A replica's memory request is sized by its peak: the highest sample of any round. */
const RSS_LIMIT_MB = 200;

function peakRssTarget(name: string, rounds: RoundResult[]): TargetCheck {
  const peaks = rounds.map((r) => r.proxyRssMb).filter(Number.isFinite);
  const highest = peaks.length === 0 ? Number.NaN : Math.max(...peaks);
  return {
    name,
    target: `≤ ${RSS_LIMIT_MB} MB (highest sample of every round)`,
    measured: `${highest.toFixed(0)} MB (round peaks ${spread(peaks, 0, ' MB')})`,
    pass: highest <= RSS_LIMIT_MB,
  };
}

/** The targets, at concurrency 8, for every era and tool measured with direct and gatehouse. */
export function scenarioTargets(scenarios: Scenario[]): TargetCheck[] {
  const targets: TargetCheck[] = [];
  for (const s of scenarios) {
    if (s.concurrency !== TARGET_CONCURRENCY) continue;
    const gatehouse = s.results.get('gatehouse');
    const direct = s.results.get('direct');
    if (gatehouse === undefined) continue;
    const where = `${s.tool}, ${ERA_LABEL[s.era]}, c${s.concurrency}`;
    if (direct !== undefined) {
      targets.push(
        ratioTarget(
          `throughput through Gatehouse (${where})`,
          '≥ 0.9× direct',
          pairedRatios(gatehouse, direct, calls),
          (m) => m >= 0.9,
        ),
        ratioTarget(
          `whole-path CPU per call through Gatehouse (${where})`,
          '≤ 1.3× direct',
          pairedRatios(gatehouse, direct, path),
          (m) => m <= 1.3,
        ),
      );
    }
    targets.push(peakRssTarget(`Gatehouse peak RSS (${where})`, gatehouse));
    const peers = PEERS.filter((p) => s.results.has(p));
    if (peers.length === 0) continue;
    const better = (metric: 'throughput' | 'whole-path CPU') => {
      const perPeer = peers.map((peer) => {
        const peerRounds = s.results.get(peer);
        const ratios =
          metric === 'throughput'
            ? pairedRatios(gatehouse, peerRounds, calls)
            : pairedRatios(gatehouse, peerRounds, path);
        const m = figure(ratios).median;
        return {
          peer,
          text: `${spread(ratios, 2, '×')} ${peer}`,
          ok: metric === 'throughput' ? m > 1 : m < 1,
        };
      });
      targets.push({
        name: `Gatehouse ${metric} vs ${peers.join(' and ')} (${where})`,
        target: metric === 'throughput' ? 'higher than each peer (> 1×)' : 'lower than each peer (< 1×)',
        measured: perPeer.map((p) => p.text).join('; '),
        pass: perPeer.every((p) => p.ok),
      });
    };
    better('throughput');
    better('whole-path CPU');
  }
  return targets;
}

/** With a "gatehouse before" setup: after ÷ before per scenario, paired per round. */
export function beforeAfterNotes(scenarios: Scenario[]): string[] {
  const notes: string[] = [];
  for (const s of scenarios) {
    const after = s.results.get('gatehouse');
    const before = s.results.get('gatehouse before');
    if (after === undefined || before === undefined) continue;
    const ratio = (f: (r: RoundResult) => number) => spread(pairedRatios(after, before, f), 2, '×');
    const peak = (rounds: RoundResult[]) => Math.max(...rounds.map((r) => r.proxyRssMb)).toFixed(0);
    notes.push(
      `gatehouse ÷ gatehouse before (${s.tool}, ${ERA_LABEL[s.era]}, c${s.concurrency}): ` +
        `throughput ${ratio(calls)}, proxy CPU per call ${ratio((r) => r.proxyCpuPer1k)}, ` +
        `whole-path CPU ${ratio(path)}; peak RSS ${peak(after)} vs ${peak(before)} MB`,
    );
  }
  return notes;
}
