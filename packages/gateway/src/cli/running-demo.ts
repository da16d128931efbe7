/**
 * The running demo's runtime file, `.gatehouse/demo.json` in the directory the demo was started
 * from: which configuration it serves, the MCP and sandbox URLs, and the environment its
 * configuration was read with (the sandbox may run on another port than the default). The demo
 * writes it once it listens and removes it when it exits; the other commands find it by looking
 * in the current directory and each one above it, and use it only while its process is alive.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const RUNTIME_FILE = join('.gatehouse', 'demo.json');

export interface RunningDemo {
  pid: number;
  /** Absolute path of the configuration the demo serves. */
  config: string;
  /** The directory the demo runs in (its upstreams' relative paths start here). */
  cwd: string;
  url: string;
  sandboxUrl: string;
  /** The variables the configuration names, as the demo read them (none that look secret). */
  env: Record<string, string>;
  startedAt: string;
  /** Where the runtime file was found. */
  file: string;
}

/** Variable names whose values are secrets: never written to the runtime file. */
const SECRET_NAME = /key|secret|token|password|passwd|credential/i;

/** The variables a configuration's text refers to as `${NAME…}`. */
function referencedVariables(configText: string): string[] {
  return [...new Set([...configText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string))];
}

/** The environment a configuration was read with: the variables it names that are set. */
function environmentOf(configFile: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of referencedVariables(readFileSync(configFile, 'utf8'))) {
    const value = env[name];
    if (value !== undefined && !SECRET_NAME.test(name)) out[name] = value;
  }
  return out;
}

/**
 * Called by `gatehouse demo` once it serves: writes the runtime file and removes it when the
 * process exits (a file left by a killed demo is ignored: its pid is not alive).
 */
export function announceRunningDemo(demo: { configFile: string; url: string; sandboxUrl: string }): void {
  const file = resolve(RUNTIME_FILE);
  const record: Omit<RunningDemo, 'file'> = {
    pid: process.pid,
    config: resolve(demo.configFile),
    cwd: process.cwd(),
    url: demo.url,
    sandboxUrl: demo.sandboxUrl,
    env: environmentOf(demo.configFile, process.env),
    startedAt: new Date().toISOString(),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // also when an earlier demo's file was there
  process.once('exit', () => {
    if (readPid(file) === process.pid) rmSync(file, { force: true });
  });
}

function readPid(file: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readRunningDemo(file: string): RunningDemo | undefined {
  let record: Omit<RunningDemo, 'file'>;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as Omit<RunningDemo, 'file'>;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(record.pid) || typeof record.config !== 'string' || !alive(record.pid)) {
    return undefined;
  }
  return { ...record, env: record.env ?? {}, file };
}

/** The demo running from `from` or a directory above it, if one is alive. */
export function findRunningDemo(from: string = process.cwd()): RunningDemo | undefined {
  let dir = resolve(from);
  for (;;) {
    const file = join(dir, RUNTIME_FILE);
    if (existsSync(file)) {
      const demo = readRunningDemo(file);
      if (demo !== undefined) return demo;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
