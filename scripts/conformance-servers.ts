/**
 * The MCP servers the conformance comparison runs against: the project's own conformance server,
 * and servers nobody here wrote, installed from the npm registry into conformance/third-party/
 * (exact versions in its package.json and lockfile) by this script itself.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startConformanceHttpServer } from '../packages/conformance-server/src/index.ts';
import { freePort, killChild, track } from './conformance-lib.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const THIRD_PARTY = join(ROOT, 'conformance/third-party');
const START_TIMEOUT_MS = 30_000;

export const SERVER_IDS = ['project', 'server-everything', 'mcp-handler'] as const;
export type ServerId = (typeof SERVER_IDS)[number];

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** `npm ci` into conformance/third-party/ unless its packages are already there. */
export async function installThirdPartyServers(): Promise<void> {
  if (existsSync(join(THIRD_PARTY, 'node_modules/mcp-handler/package.json'))) return;
  process.stderr.write('[conformance] installing third-party MCP servers from the npm registry ...\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: THIRD_PARTY,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`npm ci in ${THIRD_PARTY} failed (exit ${result.status})`);
}

/** Starts one server on a free loopback port; its log goes to `<outDir>/<id>/server.log`. */
export async function startServer(id: ServerId, outDir: string): Promise<RunningServer> {
  const dir = join(outDir, id);
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  if (id === 'project') {
    const log = createWriteStream(join(dir, 'server.log'));
    const server = await startConformanceHttpServer({
      port,
      host: '127.0.0.1',
      onError: (error) => log.write(`${error.message}\n`),
    });
    return {
      url: server.url,
      async stop() {
        await server.close();
        log.end();
      },
    };
  }
  const entry =
    id === 'server-everything'
      ? [
          join(THIRD_PARTY, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'),
          'streamableHttp',
        ]
      : [join(THIRD_PARTY, 'handler-server.mjs')];
  const child = spawnLogged(entry, { PORT: String(port) }, join(dir, 'server.log'));
  const url = `http://127.0.0.1:${port}/mcp`;
  await waitForPort(child, port, id);
  return { url, stop: () => killChild(child) };
}

function spawnLogged(args: string[], env: Record<string, string>, logFile: string): ChildProcess {
  const log = createWriteStream(logFile);
  const child = track(
    spawn(process.execPath, args, {
      cwd: THIRD_PARTY,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    }),
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

/** Waits until something answers HTTP on `port` (any status), or the child exits. */
async function waitForPort(child: ChildProcess, port: number, id: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${id} exited early (code ${child.exitCode ?? child.signalCode})`);
    const up = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) }).then(
      () => true,
      () => false,
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${id} did not listen on port ${port} within ${START_TIMEOUT_MS / 1000} s`);
}
