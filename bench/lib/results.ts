/**
 * The one result format every benchmark writes with `--json FILE`, and `bench/run-all.ts` reads
 * to build `bench/RESULTS.md` and the SVG charts. Figures are medians over interleaved rounds
 * with their min–max spread; ratios are paired per round and then summarized the same way.
 */
import { writeFileSync } from 'node:fs';
import { median } from './figures.ts';

/** A median with the spread over rounds. */
export interface Figure {
  median: number;
  min: number;
  max: number;
}

export interface ResultTable {
  title: string;
  columns: string[];
  /** Cells are already formatted for reading (units, ×, %). */
  rows: string[][];
  /** One sentence under the table: what was measured and how. */
  caption?: string;
}

/** A bar chart: one bar per series entry, with a min–max whisker when given. */
export interface ChartSpec {
  /** File-name-safe id, unique within the benchmark (e.g. `calls-per-second-c8`). */
  id: string;
  title: string;
  unit: string;
  series: { label: string; value: number; min?: number; max?: number; group?: string }[];
  /** A reference line, e.g. the direct baseline or a target (value in the chart's unit). */
  reference?: { label: string; value: number };
}

export interface TargetCheck {
  name: string;
  /** The target as written in the issue, e.g. "≥ 0.85× direct". */
  target: string;
  /** The measured value, formatted, e.g. "0.91× (0.88–0.93)". */
  measured: string;
  pass: boolean;
}

export interface BenchResult {
  bench: string;
  title: string;
  /** The exact command line that produced it. */
  command: string;
  startedAt: string;
  durationMs: number;
  tables: ResultTable[];
  charts: ChartSpec[];
  targets: TargetCheck[];
  notes: string[];
}

/** Median and min–max of per-round values (format them with `spread` from figures.ts). */
export function figure(values: number[]): Figure {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite) };
}

/** The command line of this process, as a reader would type it. */
export function commandLine(): string {
  const script = process.argv[1]?.replace(`${process.cwd()}/`, '') ?? '';
  return ['node', script, ...process.argv.slice(2)].join(' ');
}

export function writeResult(file: string | undefined, result: BenchResult): void {
  if (file === undefined) return;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}
