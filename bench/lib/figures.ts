/**
 * What every benchmark shares: process CPU time from /proc, percentiles, medians with their
 * min–max spread, and positive-integer options.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // keep the Linux default
}

/** Clock ticks per second used to read /proc (for the printed method line). */
export const CLOCK_TICKS = clockTicks;

/** User + system CPU time of a process in ms, from /proc/<pid>/stat; undefined when unreadable. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

/** The p-quantile of an ascending array (nearest rank). */
export function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** "median (min–max)" with `digits` decimals; one value alone; "–" for no data. */
export function spread(xs: number[], digits: number, suffix = ''): string {
  const finite = xs.filter(Number.isFinite);
  if (finite.length === 0) return '–';
  const f = (x: number) => x.toFixed(digits);
  if (finite.length === 1) return `${f(finite[0] as number)}${suffix}`;
  return `${f(median(finite))}${suffix} (${f(Math.min(...finite))}–${f(Math.max(...finite))})`;
}

export function positiveInt(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${what} must be a positive integer, found ${value}`);
  return n;
}
