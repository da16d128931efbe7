/**
 * Child processes for benchmarks that measure servers from the outside: start one, wait for the
 * line it prints once listening (or for an HTTP answer), and stop it together with whatever it
 * spawned. Only processes this benchmark started are ever signalled, each by its pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { descendants } from './process-tree.ts';

export interface RunningChild {
  pid: number;
  /** What the start pattern captured (e.g. the URL), or '' when none was asked for. */
  captured: string;
  /** The last lines it wrote on stderr (for error messages). */
  stderrTail(): string;
  /** SIGTERM to it (and then to the descendants it left), waiting for its exit. */
  stop(): Promise<void>;
}

export interface StartOptions {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  what: string;
  /** Resolve once stdout matches this (group 1 is captured); otherwise resolve at spawn. */
  readyLine?: RegExp;
  timeoutMs?: number;
  /** Also hands stderr to this as it arrives (e.g. to find an inspector's address). */
  onStderr?: (text: string) => void;
}

function onExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export function startChild(options: StartOptions): Promise<RunningChild> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = onExit(child);
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    stderr = (stderr + text).slice(-8_000);
    options.onStderr?.(text);
  });
  const running = (captured: string): RunningChild => ({
    pid: child.pid as number,
    captured,
    stderrTail: () => stderr,
    async stop() {
      const left = child.pid === undefined ? [] : descendants(child.pid);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    },
  });
  return new Promise<RunningChild>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${options.what} did not start in ${(options.timeoutMs ?? 30_000) / 1000} s:\n${stderr}`),
      );
    }, options.timeoutMs ?? 30_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${options.what} could not be started: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.what} exited (${code ?? signal}) before it was ready:\n${stderr}`));
    });
    if (options.readyLine === undefined) {
      child.stdout?.resume();
      child.once('spawn', () => {
        clearTimeout(timer);
        resolve(running(''));
      });
      return;
    }
    const pattern = options.readyLine;
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = pattern.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      resolve(running(match[1] ?? match[0]));
    });
  });
}

/** A TCP port that was free a moment ago (for tools that cannot listen on port 0 and say where). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Waits until `url` answers HTTP at all (any status), or `ok` says the answer is the ready one. */
export async function waitForHttp(
  url: string,
  what: string,
  ok: (status: number) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(url).catch(() => undefined);
    await response?.body?.cancel();
    if (response !== undefined && ok(response.status)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer at ${url} in ${timeoutMs / 1000} s`);
}
