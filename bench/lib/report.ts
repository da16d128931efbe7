/**
 * Writes bench/RESULTS.md from the benchmarks' results: the run and the machine, the exact
 * commands, one summary of every target checked (PASS/FAIL), then a section per benchmark with
 * its tables, charts and notes. Pure: the same input gives the same Markdown. A benchmark that
 * failed is reported as failed, with its exit code and the last lines of its output; one that was
 * not run says why.
 */
import { markdownCell, markdownTable } from './markdown.ts';
import type { BenchResult, ChartSpec } from './results.ts';

export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  memoryBytes: number;
  /** e.g. "Linux 6.8.0-45-generic (x64)". */
  kernel: string;
  /** 1, 5 and 15 minute load averages when the run started and when it ended. */
  loadStart: number[];
  loadEnd: number[];
  node: string;
  /** Versions read from each package's package.json; null when it is not installed. */
  packages: { name: string; version: string | null }[];
}

/**
 * ok: exited 0 with a result; failed: exited non-zero or was killed (a result may still exist,
 * e.g. a bench that exits 1 on a missed target); no-result: exited 0 without writing one;
 * missing: its script does not exist; not-selected: left out by --only.
 */
export type BenchStatus = 'ok' | 'failed' | 'no-result' | 'missing' | 'not-selected';

export interface BenchRun {
  bench: string;
  /** One line: what it measures. */
  description: string;
  status: BenchStatus;
  /** The command as run (the temporary --json path shown as `<file>`). */
  command: string;
  exitCode?: number | null;
  signal?: string | null;
  durationMs?: number;
  /** 1-minute load average just before and just after it ran. */
  loadBefore?: number;
  loadAfter?: number;
  /** The last lines it wrote to stderr (or stdout when stderr was empty). */
  outputTail?: string[];
  result?: BenchResult;
}

export interface ReportInput {
  startedAt: string;
  durationMs: number;
  smoke: boolean;
  /** How run-all itself was invoked. */
  runnerCommand: string;
  machine: MachineInfo;
  runs: BenchRun[];
}

/** Where a chart's SVG lives, relative to RESULTS.md. */
export function chartPath(bench: string, id: string): string {
  return `charts/${`${bench}-${id}`.replace(/[^A-Za-z0-9._-]+/g, '-')}.svg`;
}

/** "850 ms", "42 s", "12 min 5 s", "1 h 3 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function formatLoad(load: number[]): string {
  return load.map((l) => l.toFixed(2)).join(' / ');
}

function formatBytes(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

function statusText(run: BenchRun): string {
  switch (run.status) {
    case 'ok':
      return 'ran';
    case 'failed':
      return run.signal ? `FAILED (killed by ${run.signal})` : `FAILED (exit code ${run.exitCode})`;
    case 'no-result':
      return 'FAILED (exit code 0 but no --json result written)';
    case 'missing':
      return 'not run: the script does not exist yet';
    case 'not-selected':
      return 'not run: not selected (--only)';
  }
}

function header(input: ReportInput): string[] {
  const date = input.startedAt.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
  const lines = [
    '# Gatehouse benchmark results',
    '',
    `Measured ${date} by \`${input.runnerCommand}\` (took ${formatDuration(input.durationMs)}).`,
  ];
  if (input.smoke) {
    lines.push(
      '',
      '**Smoke run:** every benchmark ran with tiny settings (`--smoke`) only to check that it works; ' +
        'these figures are not meaningful and no conclusion should be drawn from them.',
    );
  }
  lines.push(
    '',
    'Figures are medians over rounds with the min–max spread in parentheses; ratios are paired per ' +
      'round and measured in the same run as what they compare. How each benchmark measures, and ' +
      'how to read this page: [bench/README.md](README.md).',
  );
  return lines;
}

function machine(info: MachineInfo): string[] {
  const rows = [
    ['CPU', `${info.cpuModel} × ${info.cpuCount}`],
    ['Memory', formatBytes(info.memoryBytes)],
    ['Kernel', info.kernel],
    [
      'Load average (1 / 5 / 15 min)',
      `${formatLoad(info.loadStart)} at the start, ${formatLoad(info.loadEnd)} at the end`,
    ],
    ['Node.js', info.node],
  ];
  const packages = info.packages.map((p) => [`\`${p.name}\``, p.version ?? 'not installed']);
  return [
    '## Machine and versions',
    '',
    markdownTable(['machine', ''], rows),
    '',
    markdownTable(['package', 'version'], packages),
  ];
}

function commands(input: ReportInput): string[] {
  const ran = input.runs.filter((r) => r.status !== 'missing' && r.status !== 'not-selected');
  return [
    '## Commands',
    '',
    'Run from the repository root, one after the other (never in parallel); each benchmark writes its ' +
      'result with `--json <file>`:',
    '',
    '```sh',
    input.runnerCommand,
    ...ran.map((r) => r.command),
    '```',
  ];
}

function overview(runs: BenchRun[]): string[] {
  const rows = runs.map((r) => [
    r.status === 'ok' || r.status === 'failed' || r.status === 'no-result'
      ? `[${r.bench}](#${anchor(r)})`
      : r.bench,
    r.description,
    statusText(r),
    r.durationMs === undefined ? '–' : formatDuration(r.durationMs),
    r.loadBefore === undefined || r.loadAfter === undefined
      ? '–'
      : `${r.loadBefore.toFixed(2)} → ${r.loadAfter.toFixed(2)}`,
  ]);
  return [
    '## Benchmarks',
    '',
    markdownTable(['benchmark', 'measures', 'status', 'time', 'load (1 min) before → after'], rows),
  ];
}

function targetSummary(runs: BenchRun[]): string[] {
  const rows: string[][] = [];
  for (const run of runs) {
    for (const t of run.result?.targets ?? []) {
      rows.push([run.bench, t.name, t.target, t.measured, t.pass ? 'PASS' : '**FAIL**']);
    }
  }
  const lines = ['## Summary of targets', ''];
  if (rows.length === 0) lines.push('No target was checked in this run.');
  else {
    const passed = rows.filter((r) => r[4] === 'PASS').length;
    lines.push(
      `${passed} of ${rows.length} targets met.`,
      '',
      markdownTable(['benchmark', 'what', 'target', 'measured', 'result'], rows),
    );
  }
  const unmeasured = runs.filter((r) => !r.result);
  if (unmeasured.length) {
    lines.push(
      '',
      `Not measured in this run (their targets, if any, are not in the table): ${unmeasured
        .map((r) => `${r.bench} (${statusText(r)})`)
        .join('; ')}.`,
    );
  }
  return lines;
}

/** The GitHub anchor of a benchmark's section heading. */
function anchor(run: BenchRun): string {
  return sectionTitle(run)
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-');
}

function sectionTitle(run: BenchRun): string {
  return `${run.result?.title ?? run.description} (${run.bench})`;
}

function failure(run: BenchRun): string[] {
  if (run.status !== 'failed' && run.status !== 'no-result') return [];
  const tail = run.outputTail ?? [];
  const what =
    run.status === 'no-result'
      ? 'It exited 0 but wrote no result with `--json`.'
      : run.signal
        ? `It was killed by ${run.signal}.`
        : `It exited with code ${run.exitCode}${run.result ? '; the figures below are what it wrote before exiting' : ''}.`;
  const lines = [`**This benchmark failed.** ${what}`];
  if (tail.length) lines.push('', 'The last lines of its output:', '', '```text', ...tail, '```');
  return [...lines, ''];
}

function chartImage(bench: string, chart: ChartSpec): string {
  const alt = chart.title.replaceAll('[', '(').replaceAll(']', ')');
  return `![${alt}](${chartPath(bench, chart.id)})`;
}

function section(run: BenchRun): string[] {
  const lines = [`## ${sectionTitle(run)}`, ''];
  const facts = [`\`${run.command}\``];
  if (run.durationMs !== undefined) facts.push(`took ${formatDuration(run.durationMs)}`);
  if (run.loadBefore !== undefined && run.loadAfter !== undefined) {
    facts.push(`load ${run.loadBefore.toFixed(2)} → ${run.loadAfter.toFixed(2)}`);
  }
  lines.push(facts.join(' · '), '', ...failure(run));
  const result = run.result;
  if (!result) return lines;
  if (result.targets.length) {
    lines.push(
      '### Targets',
      '',
      markdownTable(
        ['what', 'target', 'measured', 'result'],
        result.targets.map((t) => [t.name, t.target, t.measured, t.pass ? 'PASS' : '**FAIL**']),
      ),
      '',
    );
  }
  for (const table of result.tables) {
    lines.push(`### ${markdownCell(table.title)}`, '');
    if (table.caption) lines.push(table.caption, '');
    lines.push(markdownTable(table.columns, table.rows), '');
  }
  for (const chart of result.charts) lines.push(chartImage(run.bench, chart), '');
  if (result.notes.length) lines.push('Notes:', '', ...result.notes.map((n) => `- ${n}`), '');
  return lines;
}

/** RESULTS.md: header, machine, commands, overview, target summary, then one section per result. */
export function renderReport(input: ReportInput): string {
  const reported = input.runs.filter((r) => r.result || r.status === 'failed' || r.status === 'no-result');
  const parts = [
    header(input),
    machine(input.machine),
    commands(input),
    overview(input.runs),
    targetSummary(input.runs),
    ...reported.map(section),
  ];
  const text = parts.map((p) => p.join('\n').trimEnd()).join('\n\n');
  return `${text}\n`;
}
