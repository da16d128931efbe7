/**
 * Runs every benchmark, one after the other (they measure CPU: never in parallel), each as a child
 * process with its default full settings (or `--smoke`) and `--json <file>`, streams their output
 * prefixed with their name, and writes RESULTS.md with the machine, the commands, a summary of
 * every target and a section per benchmark, plus an SVG chart per ChartSpec under charts/.
 *
 *   node bench/run-all.ts [--smoke] [--only a,b] [--out bench/RESULTS.md]
 *
 * Without --out the report goes to bench/RESULTS.md, or to a new temporary directory with
 * --smoke (so a smoke run never overwrites the committed results). Benchmarks whose script does
 * not exist yet are listed as not run. Exits 1 when a benchmark failed or wrote no result (the
 * report is written anyway); a missed target alone shows as FAIL in the report.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCHES, benchArgs } from './lib/benches.ts';
import { machineInfo } from './lib/machine.ts';
import { type BenchRun, chartPath, formatDuration, renderReport } from './lib/report.ts';
import { readResult } from './lib/result-schema.ts';
import { commandLine } from './lib/results.ts';
import { renderChart } from './lib/svg.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TAIL_LINES = 25;

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    `usage: node bench/run-all.ts [--smoke] [--only ${BENCHES.map((b) => b.name).join(',')}] [--out FILE]\n`,
  );
  process.exit(0);
}

function selection(): Set<string> {
  const known = BENCHES.map((b) => b.name);
  if (values.only === undefined) return new Set(known);
  const names = values.only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !known.includes(n));
  if (names.length === 0 || unknown.length) {
    throw new Error(
      `--only: unknown benchmark ${unknown.join(', ') || '(none given)'}; known: ${known.join(', ')}`,
    );
  }
  return new Set(names);
}

function outputFile(): string {
  if (values.out !== undefined) return resolve(values.out);
  if (values.smoke) return join(mkdtempSync(join(tmpdir(), 'gatehouse-bench-smoke-')), 'RESULTS.md');
  return join(ROOT, 'bench', 'RESULTS.md');
}

/** Keeps the last `max` lines pushed. */
class Tail {
  readonly lines: string[] = [];
  readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
}

let running: ReturnType<typeof spawn> | undefined;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupted = true;
    running?.kill(signal);
  });
}

/** Runs one benchmark, streaming its lines prefixed with its name. */
async function runBench(
  name: string,
  description: string,
  smoke: boolean,
  jsonDir: string,
): Promise<BenchRun> {
  const jsonFile = join(jsonDir, `${name}.json`);
  const args = benchArgs(name, smoke, jsonFile);
  const command = ['node', ...args].join(' ').replace(jsonFile, '<file>');
  process.stdout.write(`\n[run-all] ${command}\n`);
  const loadBefore = loadavg()[0] ?? Number.NaN;
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  running = child;
  const stdoutTail = new Tail(TAIL_LINES);
  const stderrTail = new Tail(TAIL_LINES);
  createInterface({ input: child.stdout }).on('line', (line) => {
    stdoutTail.push(line);
    process.stdout.write(`[${name}] ${line}\n`);
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrTail.push(line);
    process.stderr.write(`[${name}] ${line}\n`);
  });
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((done) => {
    child.once('error', (error) => {
      stderrTail.push(`could not start: ${error.message}`);
      done({ code: null, signal: null });
    });
    child.once('close', (code, signal) => done({ code, signal }));
  });
  running = undefined;
  const run: BenchRun = {
    bench: name,
    description,
    status: 'ok',
    command,
    exitCode: code,
    signal,
    durationMs: performance.now() - started,
    loadBefore,
    loadAfter: loadavg()[0] ?? Number.NaN,
    outputTail: stderrTail.lines.length ? stderrTail.lines : stdoutTail.lines,
  };
  if (existsSync(jsonFile)) {
    try {
      run.result = readResult(jsonFile);
    } catch (error) {
      run.outputTail = [...(run.outputTail ?? []), `run-all: its --json file is ${(error as Error).message}`];
    }
  }
  if (code !== 0) run.status = 'failed';
  else if (!run.result) run.status = 'no-result';
  process.stdout.write(`[run-all] ${name}: ${run.status} after ${formatDuration(run.durationMs ?? 0)}\n`);
  return run;
}

/** Writes every chart of the results; removes the known benchmarks' charts this run did not write. */
function writeCharts(outDir: string, runs: BenchRun[]): string[] {
  const chartsDir = join(outDir, 'charts');
  mkdirSync(chartsDir, { recursive: true });
  const written = new Set<string>();
  for (const run of runs) {
    for (const chart of run.result?.charts ?? []) {
      const file = join(outDir, chartPath(run.bench, chart.id));
      writeFileSync(file, renderChart(chart));
      written.add(file);
    }
  }
  for (const entry of readdirSync(chartsDir)) {
    const file = join(chartsDir, entry);
    const ours = entry.endsWith('.svg') && BENCHES.some((b) => entry.startsWith(`${b.name}-`));
    if (ours && !written.has(file)) rmSync(file);
  }
  return [...written];
}

/** A path relative to the working directory when it is inside it, absolute otherwise. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

async function main(): Promise<number> {
  const selected = selection();
  const out = outputFile();
  const startedAt = new Date().toISOString();
  const loadStart = loadavg();
  const started = performance.now();
  const jsonDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-json-'));
  const runs: BenchRun[] = [];
  try {
    for (const { name, description, script = name } of BENCHES) {
      const command = ['node', ...benchArgs(name, values.smoke, '<file>')].join(' ');
      if (!selected.has(name)) runs.push({ bench: name, description, status: 'not-selected', command });
      else if (!existsSync(join(ROOT, 'bench', `${script}.ts`))) {
        process.stdout.write(`\n[run-all] ${name}: bench/${script}.ts does not exist, not run\n`);
        runs.push({ bench: name, description, status: 'missing', command });
      } else runs.push(await runBench(name, description, values.smoke, jsonDir));
      if (interrupted) {
        process.stderr.write('[run-all] interrupted: no report written\n');
        return 130;
      }
    }
  } finally {
    rmSync(jsonDir, { recursive: true, force: true });
  }
  const outDir = dirname(out);
  mkdirSync(outDir, { recursive: true });
  const charts = writeCharts(outDir, runs);
  const report = renderReport({
    startedAt,
    durationMs: performance.now() - started,
    smoke: values.smoke,
    runnerCommand: commandLine(),
    machine: machineInfo(ROOT, loadStart),
    runs,
  });
  writeFileSync(out, report);
  const failed = runs.filter((r) => r.status === 'failed' || r.status === 'no-result');
  const targets = runs.flatMap((r) => r.result?.targets ?? []);
  process.stdout.write(
    `\n[run-all] wrote ${shown(out)} and ${charts.length} charts; ` +
      `targets met: ${targets.filter((t) => t.pass).length}/${targets.length}; ` +
      `failed: ${failed.map((r) => r.bench).join(', ') || 'none'}; ` +
      `not run: ${
        runs
          .filter((r) => r.status === 'missing')
          .map((r) => r.bench)
          .join(', ') || 'none'
      }\n`,
  );
  return failed.length ? 1 : 0;
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`run-all: ${error instanceof Error ? error.message : String(error)}\n`);
  return 2;
});
