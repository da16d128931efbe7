/**
 * What the scale and token benchmarks (catalog-scale, sessions, role-tokens) share: child
 * processes that print their URL once listening (the gateway via `gatehouse serve`, the many-tools
 * upstream over HTTP), MCP clients of either era with their own headers or fetch, full
 * `tools/list` pagination, the load-average line printed with every round, printing a
 * BenchResult, and a minimal inspector client that forces a GC in a child and reads its heap.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  Client,
  type FetchLike,
  StreamableHTTPClientTransport,
  type Tool,
} from '@modelcontextprotocol/client';
import { startChild as startProcess, waitForHttp } from './children.ts';
import type { BenchResult } from './results.ts';

/** The gateway CLI; GATEHOUSE_BENCH_BIN points at another checkout's (for before/after runs). */
export const GATEHOUSE_BIN =
  process.env.GATEHOUSE_BENCH_BIN ??
  fileURLToPath(new URL('../../packages/gateway/bin/gatehouse.mjs', import.meta.url));
export const MANY_TOOLS_SERVER = fileURLToPath(new URL('../upstream/many-tools-server.ts', import.meta.url));

export type Era = 'legacy' | 'modern';

export interface Child {
  pid: number;
  url: string;
  /** The last few KB of the child's stderr. */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` and resolves once its stdout matches `pattern` (group 1 is the URL). Its
 * stderr is also handed to `onStderr` as it arrives (e.g. to find the inspector's address).
 */
export async function startChild(
  args: string[],
  pattern: RegExp,
  what: string,
  options: { env?: NodeJS.ProcessEnv; onStderr?: (text: string) => void } = {},
): Promise<Child> {
  const child = await startProcess({
    command: process.execPath,
    args,
    what,
    readyLine: pattern,
    timeoutMs: 60_000,
    ...(options.env ? { env: options.env } : {}),
    ...(options.onStderr ? { onStderr: options.onStderr } : {}),
  });
  return { pid: child.pid, url: child.captured, stderr: child.stderrTail, stop: child.stop };
}

/** Waits until the gateway's /readyz answers 200. */
export function waitReady(url: string, what: string, timeoutMs = 60_000): Promise<void> {
  return waitForHttp(new URL('/readyz', url).href, what, (status) => status === 200, timeoutMs);
}

/** `gatehouse serve` with this configuration (written to `configFile`), once it is ready. */
export async function startGatewayChild(
  configFile: string,
  yaml: string,
  what: string,
  nodeArgs: string[] = [],
  options: { bin?: string; onStderr?: (text: string) => void } = {},
): Promise<Child> {
  writeFileSync(configFile, yaml);
  const { bin = GATEHOUSE_BIN, onStderr } = options;
  const gateway = await startChild(
    [...nodeArgs, bin, 'serve', '--config', configFile],
    /Gatehouse MCP endpoint: (\S+)/,
    what,
    { onStderr },
  );
  try {
    await waitReady(gateway.url, what);
  } catch (error) {
    await gateway.stop();
    throw error;
  }
  return gateway;
}

/** The many-tools upstream over Streamable HTTP. */
export function startManyToolsHttp(
  prefix: string,
  tools: number,
  schemas: 'json' | 'zod' = 'json',
): Promise<Child> {
  return startChild(
    [MANY_TOOLS_SERVER, '--tools', String(tools), '--prefix', prefix, '--schemas', schemas, '--port', '0'],
    /listening on (\S+)/,
    `many-tools upstream ${prefix}`,
  );
}

export async function connectClient(
  url: string,
  era: Era,
  options: { headers?: Record<string, string>; fetch?: FetchLike } = {},
): Promise<Client> {
  const client = new Client(
    { name: 'gatehouse-bench', version: '1.0.0' },
    { versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: options.headers ?? {} },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }),
  );
  return client;
}

/**
 * Every tool, one `tools/list` request per page following nextCursor to the end, with the number
 * of pages. (The SDK's `listTools()` walks the pages itself and may answer from its cache; this
 * sends every page, every time.)
 */
export async function listAllTools(client: Client): Promise<{ tools: Tool[]; pages: number }> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await client.request({
      method: 'tools/list',
      ...(cursor === undefined ? {} : { params: { cursor } }),
    });
    pages++;
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { tools, pages };
}

/** A fetch that adds the bytes of every response body to `counter.bytes` (for untimed passes). */
export function countingFetch(counter: { bytes: number }): FetchLike {
  return async (input, init) => {
    const response = await fetch(input, init);
    const body = await response.arrayBuffer();
    counter.bytes += body.byteLength;
    return new Response(body.byteLength === 0 && response.status === 204 ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** "load 1.23 (2 CPUs)": the 1-minute load average, printed with every round. */
export function loadLine(): string {
  return `load ${(loadavg()[0] ?? 0).toFixed(2)} (${cpus().length} CPUs)`;
}

export function loadNow(): number {
  return loadavg()[0] ?? 0;
}

export function listOption(value: string, what: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new Error(`--${what} needs at least one value`);
  return items;
}

export function erasOption(value: string): Era[] {
  return listOption(value, 'eras').map((e) => {
    if (e !== 'legacy' && e !== 'modern') throw new Error(`--eras: legacy or modern, found ${e}`);
    return e;
  });
}

/** Stops children in reverse order of starting, waiting for each. */
export async function stopAll(children: Child[]): Promise<void> {
  await Promise.allSettled(
    children
      .splice(0)
      .reverse()
      .map((c) => c.stop()),
  );
}

/** Prints a BenchResult's tables (as markdown), target checks and notes. */
export function printResult(result: BenchResult): void {
  for (const table of result.tables) {
    console.log(`\n${table.title}\n`);
    console.log(`| ${table.columns.join(' | ')} |`);
    console.log(`|${table.columns.map(() => ' --- ').join('|')}|`);
    for (const row of table.rows) console.log(`| ${row.join(' | ')} |`);
    if (table.caption) console.log(`\n${table.caption}`);
  }
  if (result.targets.length > 0) console.log('\nTargets:');
  for (const t of result.targets) {
    console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.measured} (target ${t.target})`);
  }
  for (const note of result.notes) console.log(`note: ${note}`);
}

/** V8 heap figures of a process, in bytes, read after a full GC. */
export interface HeapReading {
  used: number;
  total: number;
  /** Memory of C++ objects bound to JS objects (buffers and the like). */
  external: number;
}

/**
 * A minimal Chrome DevTools Protocol client for a child started with `--inspect=127.0.0.1:0`:
 * forces a full garbage collection and reads `process.memoryUsage()` inside it.
 */
export class Inspector {
  private readonly socket: WebSocket;
  private nextId = 1;
  private readonly pending = new Map<number, (message: Record<string, unknown>) => void>();

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as Record<string, unknown>;
      const id = message.id as number | undefined;
      if (id === undefined) return;
      this.pending.get(id)?.(message);
      this.pending.delete(id);
    });
  }

  static async connect(url: string | undefined): Promise<Inspector> {
    if (url === undefined) throw new Error('the child printed no inspector address');
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot reach the inspector at ${url}`)), {
        once: true,
      });
    });
    return new Inspector(socket);
  }

  private send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`inspector: ${method} timed out`)), 60_000);
      this.pending.set(id, (message) => {
        clearTimeout(timer);
        if (message.error) reject(new Error(`inspector: ${method}: ${JSON.stringify(message.error)}`));
        else resolve((message.result ?? {}) as Record<string, unknown>);
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Two full GCs, then the heap as process.memoryUsage() reports it. */
  async heapAfterGc(): Promise<HeapReading> {
    await this.send('HeapProfiler.collectGarbage');
    await this.send('HeapProfiler.collectGarbage');
    const evaluated = await this.send('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    const text = (evaluated.result as { value?: string } | undefined)?.value ?? '{}';
    const usage = JSON.parse(text) as { heapUsed: number; heapTotal: number; external: number };
    return { used: usage.heapUsed, total: usage.heapTotal, external: usage.external };
  }

  close(): void {
    this.socket.close();
  }
}
