/**
 * An nginx of the test's own as the load balancer in front of gateway replicas: Debian's binary
 * (GATEHOUSE_TEST_NGINX, installed by scripts/services.sh), its prefix, config, pid file, logs and
 * temp dirs in a fresh temp dir, run in the foreground (`daemon off`) as a child process leading
 * its own process group, so stopping it touches only what it started.
 *
 * The balancing is what the issue asks replicas to survive: plain round-robin, no ip_hash, no
 * sticky cookie, HTTP/1.1 with keep-alive to the replicas, no response buffering (SSE streams
 * flow as written), long read timeouts (an open GET stream, a call waiting on an approval).
 * Request headers (Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID) and
 * response headers pass through unchanged: nginx forwards them all by default.
 *
 * Retries: `proxy_next_upstream error timeout` moves a request to the next replica only when
 * nginx could not hand it to the one it picked (connection refused or reset, connect timeout —
 * a dead replica). It does not retry a POST once its request was sent (`non_idempotent` is not
 * set): a tools/call the dead replica may have begun is never run a second time behind the
 * client's back. The client sees a 502 for that one and decides itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeTempDir } from '../../../../scripts/test-temp-dir.ts';

export interface Balancer {
  /** http://127.0.0.1:<port> (no path). */
  readonly origin: string;
  /** The nginx master's pid. */
  readonly pid: number;
  readonly dir: string;
  /** The access log's `$upstream_addr` field per request so far (which replica served it). */
  upstreamAddresses(): string[];
  /** error.log so far. */
  errorLog(): string;
  stop(): Promise<void>;
}

export interface BalancerOptions {
  /** Write an access log with the replica that served each request (off for benchmarks). */
  accessLog?: boolean;
  workerProcesses?: number;
}

export function nginxBinary(): string {
  const bin = process.env.GATEHOUSE_TEST_NGINX;
  if (bin === undefined || bin === '' || !existsSync(bin)) {
    throw new Error(
      'GATEHOUSE_TEST_NGINX is not set: run `source scripts/services.sh` first (it installs nginx)',
    );
  }
  return bin;
}

export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The nginx.conf for `ports` behind one round-robin upstream, listening on `listen`. */
export function nginxConfig(dir: string, listen: number, ports: number[], options: BalancerOptions): string {
  const temp = (name: string) => join(dir, 'temp', name);
  // As root the workers must run as someone else; running as a user they run as that user.
  const user = process.getuid?.() === 0 ? 'user nobody nogroup;\n' : '';
  const servers = ports
    .map((port) => `    server 127.0.0.1:${port} max_fails=1 fail_timeout=10s;`)
    .join('\n');
  const accessLog =
    options.accessLog === false
      ? 'access_log off;'
      : `log_format replicas '$status $upstream_addr $request_method';\n  access_log ${join(dir, 'access.log')} replicas;`;
  return `${user}daemon off;
master_process on;
worker_processes ${options.workerProcesses ?? 1};
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  ${accessLog}
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  client_max_body_size 16m;
  upstream gatehouse {
    # Plain round-robin: no ip_hash, no hash, no sticky.
${servers}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${listen};
    location / {
      proxy_pass http://gatehouse;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_cache off;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
      proxy_connect_timeout 2s;
      # Only requests no replica received move on; a POST already sent is never retried.
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 3;
    }
  }
}
`;
}

async function waitUntilServing(origin: string, child: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`nginx exited (${child.exitCode ?? child.signalCode}):\n${readLog(dir, 'error.log')}`);
    }
    const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1000) }).catch(
      () => undefined,
    );
    await response?.body?.cancel();
    if (response?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not pass /healthz through in 15 s:\n${readLog(dir, 'error.log')}`);
}

function readLog(dir: string, name: string): string {
  try {
    return readFileSync(join(dir, name), 'utf8');
  } catch {
    return '';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Starts nginx balancing over the replicas on `ports`; resolves once /healthz passes through. */
export async function startBalancer(ports: number[], options: BalancerOptions = {}): Promise<Balancer> {
  const bin = nginxBinary();
  const dir = makeTempDir('gatehouse-nginx-');
  // The workers (nobody, when we are root) read nothing here but write the temp dirs.
  chmodSync(dir, 0o755);
  for (const name of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    mkdirSync(join(dir, 'temp', name), { recursive: true });
  if (process.getuid?.() === 0) chmodSync(join(dir, 'temp'), 0o777);
  let lastError: unknown;
  // A port can be taken between the check and nginx's bind: try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeLoopbackPort();
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port, ports, options));
    const child = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const origin = `http://127.0.0.1:${port}`;
    try {
      await waitUntilServing(origin, child, dir);
    } catch (error) {
      lastError = new Error(`${(error as Error).message}\n${stderr}`);
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      await exited;
      continue;
    }
    const pid = child.pid as number;
    return {
      origin,
      pid,
      dir,
      upstreamAddresses: () =>
        readLog(dir, 'access.log')
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split(' ')[1] ?? ''),
      errorLog: () => readLog(dir, 'error.log'),
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          // SIGQUIT: graceful; the master waits for its workers. SIGKILL to the group (master
          // and workers) only if that takes too long.
          signalGroup(pid, 'SIGQUIT');
          const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}
