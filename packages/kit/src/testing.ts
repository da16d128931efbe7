/**
 * The kit's test client: a real MCP client connected to a kit server in the same process, over
 * an in-memory pipe (either protocol era, negotiated exactly as over stdio) or over the server's
 * real Streamable HTTP listener on a loopback port. A `caller` is sent the way Gatehouse sends it
 * (`_meta["dev.gatehouse/principal"]`), so handlers see the identity they would behind the gateway.
 *
 *   const t = await testClient(server, { caller: { id: 'k1', user: 'ana', org: 'acme', roles: ['sales'] } });
 *   const { structured } = await t.call('get_deal', { dealId: '42' });
 *
 * It also runs a server's `main.ts` as its own process over HTTP (`spawnServerProcess`) and
 * connects an SDK client to any MCP URL in either era (`httpClient`):
 *
 *   const server = spawnServerProcess('packages/x-server/src/main.ts', { env: { LOG_LEVEL: 'warn' } });
 *   const client = await httpClient(await server.url, 'modern');
 *   ...
 *   assert.equal(await server.stop(), 0, server.stderr());
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { type Caller, PRINCIPAL_META_KEY } from './caller.ts';
import { TOOL_ERROR_META_KEY } from './errors.ts';
import { serveHttp } from './http.ts';
import type { DomainServer } from './server.ts';

export interface TestClientOptions {
  caller?: Caller;
  era?: 'legacy' | 'modern';
  /** 'memory' (default) pipes in-process; 'http' goes through the real HTTP listener. */
  via?: 'memory' | 'http';
}

export interface ToolOutcome {
  isError: boolean;
  text: string;
  structured: Record<string, unknown> | undefined;
  /** The tool error code (`_meta["dev.gatehouse/tool-error"].code`) of an isError result. */
  errorCode: string | undefined;
  raw: Record<string, unknown>;
}

export interface TestClient {
  readonly client: Client;
  call(
    name: string,
    args?: Record<string, unknown>,
    onProgress?: (progress: number) => void,
  ): Promise<ToolOutcome>;
  close(): Promise<void>;
}

function outcomeOf(result: Record<string, unknown>): ToolOutcome {
  const content = (result.content ?? []) as { type: string; text?: string }[];
  const meta = (result._meta ?? {}) as Record<string, { code?: string } | undefined>;
  return {
    isError: result.isError === true,
    text: content.map((c) => c.text ?? '').join(''),
    structured: result.structuredContent as Record<string, unknown> | undefined,
    errorCode: meta[TOOL_ERROR_META_KEY]?.code,
    raw: result,
  };
}

export async function testClient(domain: DomainServer, options: TestClientOptions = {}): Promise<TestClient> {
  const client = new Client(
    { name: 'gatehouse-kit-test', version: '1.0.0' },
    { versionNegotiation: { mode: options.era === 'modern' ? { pin: '2026-07-28' } : 'legacy' } },
  );
  let stopServer: () => Promise<void>;
  if (options.via === 'http') {
    const http = await serveHttp(domain, { port: 0 });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    stopServer = () => http.close();
  } else {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const handle = serveStdio((ctx) => domain.create(ctx), { transport: serverSide });
    await client.connect(clientSide);
    stopServer = () => handle.close();
  }
  const meta = options.caller ? { [PRINCIPAL_META_KEY]: options.caller } : {};
  return {
    client,
    async call(name, args = {}, onProgress) {
      const result = await client.callTool(
        { name, arguments: args, _meta: meta },
        onProgress ? { onprogress: (p) => onProgress(p.progress) } : undefined,
      );
      return outcomeOf(result as Record<string, unknown>);
    },
    async close() {
      await client.close();
      await stopServer();
    },
  };
}

/** A kit server running as a child process, as started by `spawnServerProcess`. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /**
   * The MCP URL once the process prints `listening on <url>`. Rejects with an error carrying the
   * whole stderr text when the process ends first (no unhandled rejection if nobody awaits it).
   */
  readonly url: Promise<string>;
  /** Everything the process has written to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (null when ended by a signal). */
  exited(): Promise<number | null>;
  /** Sends SIGTERM (unless it has already ended) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface SpawnServerOptions {
  /** Added over this process's environment; an `undefined` value removes the variable. */
  env?: Record<string, string | undefined>;
  /** Command-line arguments; default `--port 0` (HTTP on a free loopback port). */
  args?: string[];
  /** Names the process in the error `url` rejects with; default `server`. */
  name?: string;
}

/** Runs `node <script> --port 0` (or `args`) with stdout ignored and stderr kept. */
export function spawnServerProcess(script: string, options: SpawnServerOptions = {}): ServerProcess {
  const child = spawn(process.execPath, [script, ...(options.args ?? ['--port', '0'])], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const found = /listening on (https?:\/\/\S+)/.exec(stderr);
      if (found?.[1]) resolve(found[1]);
    });
    child.once('error', reject);
    // 'close' rather than 'exit': by then stderr has been read to the end.
    child.once('close', (code) =>
      reject(new Error(`${options.name ?? 'server'} exited with ${code} before listening: ${stderr}`)),
    );
  });
  url.catch(() => undefined);
  return {
    child,
    url,
    stderr: () => stderr,
    exited: () => exit,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exit;
    },
  };
}

/** A connected SDK client for an MCP URL: `legacy` (plain 2025 handshake) or `modern` (2026-07-28). */
export async function httpClient(
  url: string,
  era: 'legacy' | 'modern',
  headers: Record<string, string> = {},
): Promise<Client> {
  const client = new Client(
    { name: 'gatehouse-kit-http-test', version: '1.0.0' },
    { versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}
