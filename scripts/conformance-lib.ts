/**
 * Helpers for scripts/conformance.ts: child-process bookkeeping, free ports, running one
 * conformance-suite CLI invocation and parsing its results.
 *
 * Result parsing: each suite run is given `-o <dir>`; the CLI writes one
 * `<dir>/server-<scenario>-<timestamp>/checks.json` per scenario (an array of checks with
 * `status` SUCCESS | FAILURE | WARNING | SKIPPED | INFO) and ends its stdout with
 * `Total: N passed, M failed`. Counts come from the checks files; the summary line is
 * cross-checked (a scenario that crashed writes no checks file but is counted there).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, relative, sep } from 'node:path';

/** Children started by this script, killed on exit (also on error or signal). */
const children = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills one child we started, and its process group when it leads one. */
export async function killChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-pid, name); // process group (children are spawned detached)
    } catch {
      try {
        child.kill(name);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function killAllChildren(): Promise<void> {
  await Promise.allSettled([...children].map((child) => killChild(child)));
}

/** Synchronous last resort for `process.on('exit')`. */
export function killAllChildrenSync(): void {
  for (const child of children) {
    if (child.pid === undefined || child.exitCode !== null) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
}

/** A loopback TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One failing check: scenario, check id and the first line of its error message. */
export interface FailedCheck {
  readonly key: string;
  readonly message: string;
}

/** The outcome of one suite run against one target. */
export interface RunResult {
  readonly passed: number;
  readonly failed: number;
  readonly warnings: number;
  readonly failures: FailedCheck[];
  /** Status of every check, keyed `scenario › check id` (repeated ids keep every status). */
  readonly statuses: Map<string, string[]>;
  readonly exitCode: number | null;
  /** Set when the run could not be evaluated (crash, timeout, no results). */
  readonly error?: string;
  readonly logFile: string;
}

interface Check {
  readonly id?: unknown;
  readonly status?: unknown;
  readonly errorMessage?: unknown;
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const RESULT_DIR = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

async function readChecks(outputDir: string): Promise<{ scenario: string; checks: Check[] }[]> {
  const entries = await readdir(outputDir, { recursive: true }).catch(() => [] as string[]);
  const results: { scenario: string; checks: Check[] }[] = [];
  for (const entry of entries.filter(
    (name) => name.endsWith(`${sep}checks.json`) || name === 'checks.json',
  )) {
    const dir = relative(outputDir, join(outputDir, entry, '..'));
    const scenario = RESULT_DIR.exec(dir)?.[1] ?? dir;
    const parsed: unknown = JSON.parse(await readFile(join(outputDir, entry), 'utf8'));
    results.push({ scenario, checks: Array.isArray(parsed) ? (parsed as Check[]) : [] });
  }
  return results.sort((a, b) => a.scenario.localeCompare(b.scenario));
}

function firstLine(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  const line = text.split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

type Tally = Pick<RunResult, 'passed' | 'failed' | 'warnings' | 'failures' | 'statuses'>;

function tally(scenarios: { scenario: string; checks: Check[] }[]): Tally {
  const counts = { passed: 0, failed: 0, warnings: 0 };
  const failures: FailedCheck[] = [];
  const statuses = new Map<string, string[]>();
  for (const { scenario, checks } of scenarios) {
    for (const check of checks) {
      const key = `${scenario} › ${String(check.id)}`;
      statuses.set(key, [...(statuses.get(key) ?? []), String(check.status)]);
      if (check.status === 'SUCCESS') counts.passed += 1;
      else if (check.status === 'WARNING') counts.warnings += 1;
      else if (check.status === 'FAILURE') {
        counts.failed += 1;
        failures.push({ key, message: firstLine(check.errorMessage) });
      }
    }
  }
  return { ...counts, failures, statuses };
}

/** Parses a finished run's output directory and stdout into counts and failing checks. */
export async function parseRun(
  outputDir: string,
  stdout: string,
): Promise<Omit<RunResult, 'exitCode' | 'logFile'>> {
  const counted = tally(await readChecks(outputDir));
  const text = stdout.replace(ANSI, '');
  const total = /^Total: (\d+) passed, (\d+) failed/m.exec(text);
  if (total === null) return { ...counted, error: 'no "Total:" summary line in the suite output' };
  const summaryFailed = Number(total[2]);
  const failures = [...counted.failures];
  if (summaryFailed > counted.failed) {
    // Scenarios that crashed are counted in the summary but wrote no checks file.
    for (const match of text.matchAll(/^✗ (\S+): \d+ passed, (\d+) failed/gm)) {
      const scenario = match[1] ?? '?';
      if (!failures.some((failure) => failure.key.startsWith(`${scenario} ›`))) {
        failures.push({ key: `${scenario} › (scenario failed to run)`, message: '' });
      }
    }
  }
  return {
    ...counted,
    passed: Math.max(counted.passed, Number(total[1])),
    failed: Math.max(counted.failed, summaryFailed),
    failures,
  };
}

/** Runs one suite CLI invocation to completion (or timeout), logging to `logFile`. */
export async function runSuite(options: {
  bin: string;
  args: string[];
  outputDir: string;
  logFile: string;
  timeoutMs: number;
}): Promise<RunResult> {
  await mkdir(options.outputDir, { recursive: true });
  const log = createWriteStream(options.logFile);
  log.write(`$ node ${options.bin} ${options.args.join(' ')} -o ${options.outputDir}\n\n`);
  const child = track(
    spawn(process.execPath, [options.bin, ...options.args, '-o', options.outputDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    }),
  );
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    log.write(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void killChild(child);
  }, options.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('exit', (code) => resolve(code));
  });
  clearTimeout(timer);
  await new Promise<void>((resolve) => log.end(() => resolve()));
  const parsed = await parseRun(options.outputDir, stdout);
  const error = timedOut ? `timed out after ${options.timeoutMs / 1000} s` : parsed.error;
  return { ...parsed, exitCode, logFile: options.logFile, ...(error === undefined ? {} : { error }) };
}

/**
 * Checks that passed in `direct` but not in `gateway`, with the gateway's statuses
 * (`missing` when the gateway run did not report the check at all).
 */
export function lostPasses(direct: RunResult, gateway: RunResult): { key: string; gatewayStatus: string }[] {
  const lost: { key: string; gatewayStatus: string }[] = [];
  for (const [key, statuses] of direct.statuses) {
    const directPasses = statuses.filter((status) => status === 'SUCCESS').length;
    const gatewayStatuses = gateway.statuses.get(key) ?? [];
    const gatewayPasses = gatewayStatuses.filter((status) => status === 'SUCCESS').length;
    if (gatewayPasses >= directPasses) continue;
    const other = gatewayStatuses.filter((status) => status !== 'SUCCESS');
    lost.push({ key, gatewayStatus: other.length > 0 ? [...new Set(other)].join('/') : 'missing' });
  }
  return lost;
}
