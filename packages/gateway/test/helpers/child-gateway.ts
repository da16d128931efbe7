/**
 * A gateway as a child process, through the real CLI (`gatehouse serve --config F --port 0`):
 * started with the test's own Node, its endpoint read from stdout, its JSON logs collected from
 * stderr, signalled and awaited like an operator would. Plus the bits lifecycle tests share:
 * fault-server upstreams, config files in temp dirs, `gatehouse` one-shot commands, and call
 * outcomes classified as answered, refused before acceptance (HTTP 503), or lost.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import { makeTempDir } from '../../../../scripts/test-temp-dir.ts';
import { FAULT_SERVER, FIXTURE_SERVER, stdioUpstreamYaml, textOf, waitFor } from './harness.ts';

export const GATEHOUSE_BIN = fileURLToPath(new URL('../../bin/gatehouse.mjs', import.meta.url));

/** A stdio fault-server upstream (tools echo, slow, hang, pid, …) for a `upstreams:` list. */
export function faultUpstreamYaml(name: string, env: Record<string, string> = {}, extra = ''): string {
  return stdioUpstreamYaml(name, FAULT_SERVER, { FAULT_NAME: name, ...env }, extra);
}

/** A fresh temp dir holding `gatehouse.yaml` (written by `write`) and the embedded database. */
export interface ConfigDir {
  dir: string;
  file: string;
  storage: string;
  write(text: string): void;
}

export function configDir(): ConfigDir {
  const dir = makeTempDir('gatehouse-lifecycle-');
  const file = join(dir, 'gatehouse.yaml');
  return { dir, file, storage: join(dir, 'gatehouse.db'), write: (text) => writeFileSync(file, text) };
}

export interface LogLine {
  level?: number;
  msg?: string;
  [key: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildGateway {
  readonly pid: number;
  /** The MCP endpoint. */
  readonly url: string;
  readonly exited: Promise<Exit>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** stderr's JSON lines, parsed (other lines skipped). */
  logs(): LogLine[];
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine>;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM (then SIGKILL after `graceMs`) unless already gone; resolves with the exit. */
  stop(graceMs?: number): Promise<Exit>;
}

const running = new Set<ChildProcess>();

/** Kills (SIGKILL) any child gateway a failed test left behind; for `after` hooks. */
export function killLeftoverGateways(): void {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * `gatehouse serve --config <file> --port 0`, plus `extraArgs` (e.g. `--no-watch`), with this
 * process's environment or `env`.
 */
export function startChildGateway(
  configFile: string,
  startTimeoutMs = 30_000,
  extraArgs: string[] = [],
  env?: NodeJS.ProcessEnv,
): Promise<ChildGateway> {
  const child = spawn(
    process.execPath,
    [GATEHOUSE_BIN, 'serve', '--config', configFile, '--port', '0', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'], ...(env === undefined ? {} : { env }) },
  );
  running.add(child);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const logs = (): LogLine[] =>
    stderr.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
  return new Promise<ChildGateway>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not start in ${startTimeoutMs} ms:\n${stderr.slice(-4000)}`));
    }, startTimeoutMs);
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${JSON.stringify(exit)}) before listening:\n${stderr.slice(-4000)}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Gatehouse MCP endpoint: (\S+)/.exec(stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      const url = match[1];
      resolve({
        pid: child.pid as number,
        url,
        exited,
        stderr: () => stderr,
        logs,
        async waitForLog(predicate, timeoutMs, what) {
          let found: LogLine | undefined;
          await waitFor(
            () => {
              found = logs().find(predicate);
              return found !== undefined;
            },
            timeoutMs,
            `log: ${what}\n--- stderr tail ---\n${stderr.slice(-3000)}`,
          );
          return found as LogLine;
        },
        signal(signal) {
          child.kill(signal);
        },
        async stop(graceMs = 30_000) {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
            try {
              return await exited;
            } finally {
              clearTimeout(timer);
            }
          }
          return exited;
        },
      });
    });
  });
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A one-shot `gatehouse …` command, without blocking the test's event loop (a sandbox or gateway
 * the test runs in-process keeps answering). Killed after `timeoutMs` (default 60 s).
 */
export function gatehouseCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [GATEHOUSE_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  return new Promise((resolve) =>
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}

/** True once the process no longer exists: `kill(pid, 0)` fails with ESRCH. */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Best-effort SIGKILL of upstream servers a failed test may have left, for `after` hooks; only
 * processes still running one of the test servers (a pid may have been reused meanwhile).
 */
export function killPids(pids: Iterable<number>): void {
  for (const pid of pids) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmdline.includes(FAULT_SERVER) && !cmdline.includes(FIXTURE_SERVER)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}

export interface Readyz {
  status: number;
  body: {
    ready: boolean;
    draining: boolean;
    checks: { config: boolean; audit: boolean; upstreams: boolean };
    upstreams: { name: string; state: string; required: boolean }[];
  };
}

export async function readyz(mcpUrl: string): Promise<Readyz> {
  const response = await fetch(new URL('/readyz', mcpUrl));
  return { status: response.status, body: (await response.json()) as Readyz['body'] };
}

/** How a tools/call ended, from the client's side. */
export type CallOutcome =
  /** A result (possibly `isError`). */
  | { kind: 'result'; text: string; isError: boolean; code?: number }
  /** A JSON-RPC error answer. */
  | { kind: 'error'; code: number; message: string }
  /** HTTP 503 from a gateway that is shutting down: never accepted. */
  | { kind: 'refused'; message: string }
  /** Anything else (dropped connection, client-side timeout): no answer at all. */
  | { kind: 'lost'; message: string };

export async function callOutcome(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  timeoutMs = 45_000,
): Promise<CallOutcome> {
  try {
    const result = await client.callTool({ name, arguments: args }, { timeout: timeoutMs });
    const explained = result._meta?.['dev.gatehouse/error'] as { code?: number } | undefined;
    return {
      kind: 'result',
      text: textOf(result),
      isError: result.isError === true,
      ...(explained?.code === undefined ? {} : { code: explained.code }),
    };
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown; data?: { status?: unknown; text?: unknown } };
    const message = String(e.message ?? error);
    if (typeof e.code === 'number') return { kind: 'error', code: e.code, message };
    const refused = (e.data?.status === 503 || /\bHTTP 503\b/.test(message)) && /shutting down/.test(message);
    return refused ? { kind: 'refused', message } : { kind: 'lost', message };
  }
}
