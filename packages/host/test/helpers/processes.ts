/**
 * Real servers for the host's tests, started by the tests themselves and stopped by their own
 * PIDs: kit domain servers over Streamable HTTP, the gateway as `gatehouse serve` with a temp
 * config, API keys through `gatehouse keys create`. Nothing here imports the gateway's code.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../../../scripts/test-temp-dir.ts';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const GATEHOUSE_BIN = join(ROOT, 'packages/gateway/bin/gatehouse.mjs');
export const WEATHER = join(ROOT, 'packages/weather-server/src/main.ts');
export const WALLET = join(ROOT, 'packages/wallet-server/src/main.ts');
/** The gateway's own test servers (real SDK servers): tools that ask, change their list, hang. */
export const FIXTURE = join(ROOT, 'packages/gateway/test/fixtures/fixture-server.ts');
export const FAULT = join(ROOT, 'packages/gateway/test/fixtures/fault-server.ts');
export const EVERYTHING = join(
  ROOT,
  'conformance/third-party/node_modules/@modelcontextprotocol/server-everything/dist/index.js',
);

const started = new Set<ChildProcess>();

/** SIGKILLs every process these helpers started that is still running (for `after` hooks). */
export function killStarted(): void {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  started.clear();
}

export function tempDir(prefix = 'gatehouse-host-'): string {
  return makeTempDir(prefix);
}

/** Writes `content` (JSON unless a string) to `name` in a fresh temp dir; returns the path. */
export function tempFile(name: string, content: unknown, dir = tempDir()): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

export interface Running {
  child: ChildProcess;
  pid: number;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Spawns `node args…` and waits for `pattern` (group 1: the URL) on stdout or stderr. */
export function spawnUntil(
  args: string[],
  pattern: RegExp,
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<Running> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not start in ${timeoutMs} ms:\n${output.slice(-3000)}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited (${code}) before it was ready:\n${output.slice(-3000)}`));
    });
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      resolve({
        child,
        pid: child.pid as number,
        url: match[1],
        output: () => output,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const force = setTimeout(() => child.kill('SIGKILL'), 5000);
            await exited;
            clearTimeout(force);
          }
          started.delete(child);
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
}

/** A kit domain server over Streamable HTTP (`--port`), both eras. */
export function startKitHttp(script: string, env: Record<string, string> = {}, port = 0): Promise<Running> {
  return spawnUntil([script, '--port', String(port)], /listening on (http:\S+)/, env);
}

/** `gatehouse serve --config <file> --port 0`. */
export function startGateway(configFile: string): Promise<Running> {
  return spawnUntil(
    [GATEHOUSE_BIN, 'serve', '--config', configFile, '--port', '0', '--no-watch'],
    /Gatehouse MCP endpoint: (\S+)/,
  );
}

/** Runs `gatehouse …` to its end; resolves with stdout (rejects on a non-zero exit). */
export function gatehouse(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [GATEHOUSE_BIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve, reject) =>
    child.once('close', (status) => {
      started.delete(child);
      if (status === 0) resolve(stdout.trim());
      else reject(new Error(`gatehouse ${args.join(' ')} exited ${status}: ${stderr}`));
    }),
  );
}

/** A new API key for `user` with `roles`, written to the gateway's database. */
export function createKey(configFile: string, user: string, roles: string[]): Promise<string> {
  return gatehouse(['keys', 'create', '--config', configFile, '--user', user, '--roles', roles.join(',')]);
}

/** True once `pid` no longer exists. */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export async function waitFor(
  predicate: () => boolean,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A loopback port nothing listens on (just now). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** server-everything over Streamable HTTP (SDK v1: the 2025 era only). */
export async function startEverythingHttp(): Promise<Running> {
  const port = await freePort();
  const running = await spawnUntil([EVERYTHING, 'streamableHttp'], /listening on port (\d+)/, {
    PORT: String(port),
  });
  return { ...running, url: `http://127.0.0.1:${port}/mcp` };
}
