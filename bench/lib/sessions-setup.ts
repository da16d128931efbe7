/**
 * The measuring half of bench/sessions.ts: (a) idle 2025-era sessions opened over plain HTTP in
 * steps, with the gateway's RSS and V8 heap read after a forced GC at each step; (b) tools/call
 * with many API keys used round-robin against one key, with the gateway's CPU time per call.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteApiKeys } from '../../packages/gateway/src/auth/api-keys-sqlite.ts';
import { cpuMs, percentile } from './figures.ts';
import {
  type Child,
  connectClient,
  type HeapReading,
  Inspector,
  loadLine,
  loadNow,
  MANY_TOOLS_SERVER,
  startGatewayChild,
} from './scale-harness.ts';

export interface SessionOptions {
  /** Session counts to measure at, ascending. */
  levels: number[];
  /** Pause before each memory reading. */
  settleMs: number;
  keys: number;
  calls: number;
  authRounds: number;
  concurrency: number;
}

/** The tool every call and list checks for. */
export const TOOL = 'bench_get_invoice';
export const KB = 1024;

export function gatewayYaml(storage: string): string {
  const args = [MANY_TOOLS_SERVER, '--tools', '20', '--prefix', 'bench'];
  return `server: { host: 127.0.0.1, port: 0 }
logging: { level: warn }
storage: { path: ${JSON.stringify(storage)} }
upstreams:
  - name: bench
    transport: stdio
    command: ${JSON.stringify(process.execPath)}
    args: ${JSON.stringify(args)}
    prefix: ""
auth: { apiKeys: true }
policy:
  groups:
    bench-tools:
      allow: [{ tools: ["bench_*"], when: ['id not in ["forbidden"]'] }]
      deny: [{ tools: ["*_delete_*"] }]
  roles:
    bench: { groups: [bench-tools] }
audit: { enabled: true }
observability: { metrics: { enabled: true } }
`;
}

// ---------------------------------------------------------------------------------------------
// (a) Idle sessions.

const JSON_AND_SSE = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** Opens one 2025-11-25 session (initialize + initialized) and returns its id; nothing stays open. */
async function openSession(url: string, key: string, n: number): Promise<string> {
  const headers = { ...JSON_AND_SSE, authorization: `Bearer ${key}` };
  const init = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: `bench-session-${n}`, version: '1.0.0' },
      },
    }),
  });
  const body = await init.text();
  const id = init.headers.get('mcp-session-id');
  if (init.status !== 200 || id === null) throw new Error(`initialize ${init.status}: ${body.slice(0, 300)}`);
  const sessionHeaders = { ...headers, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' };
  const initialized = await fetch(url, {
    method: 'POST',
    headers: sessionHeaders,
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await initialized.body?.cancel();
  if (initialized.status !== 202) throw new Error(`notifications/initialized: ${initialized.status}`);
  return id;
}

async function listInSession(url: string, key: string, id: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      ...JSON_AND_SSE,
      authorization: `Bearer ${key}`,
      'mcp-session-id': id,
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  });
  const text = await response.text();
  if (response.status !== 200 || !text.includes(TOOL))
    throw new Error(`tools/list ${response.status}: ${text.slice(0, 200)}`);
}

/** Runs `work(i)` for i in [from, to) with at most `width` at once. */
async function inBatches(from: number, to: number, width: number, work: (i: number) => Promise<void>) {
  let next = from;
  await Promise.all(
    Array.from({ length: Math.min(width, to - from) }, async () => {
      while (next < to) await work(next++);
    }),
  );
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? Number.NaN : Number(kb) * KB;
}

export interface Level {
  sessions: number;
  rss: number;
  heap: HeapReading;
}

async function settle(inspector: Inspector, pid: number, sessions: number, settleMs: number): Promise<Level> {
  await new Promise((r) => setTimeout(r, settleMs));
  const heap = await inspector.heapAfterGc();
  return { sessions, rss: rssBytes(pid), heap };
}

/** Least-squares slope of y over x. */
export function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxy / sxx;
}

export interface SessionRound {
  levels: Level[];
  afterList: Level;
  load: number;
}

export async function sessionRound(opts: SessionOptions, dir: string, round: number): Promise<SessionRound> {
  const storage = join(dir, `sessions-${round}.db`);
  const store = new SqliteApiKeys(storage);
  const { key } = store.create({ user: 'bench', roles: ['bench'] });
  store.close();
  let inspectorUrl: string | undefined;
  const gateway = await startGatewayChild(
    join(dir, `sessions-${round}.yaml`),
    gatewayYaml(storage),
    'gateway (sessions)',
    ['--inspect=127.0.0.1:0'],
    {
      onStderr: (text) => {
        inspectorUrl ??= /Debugger listening on (ws:\/\/\S+)/.exec(text)?.[1];
      },
    },
  );
  let inspector: Inspector | undefined;
  try {
    inspector = await Inspector.connect(inspectorUrl);
    // Warm the path up (JIT, lazily loaded code) with sessions that are closed again.
    const warm = await Promise.all(Array.from({ length: 20 }, (_, i) => openSession(gateway.url, key, -i)));
    for (const id of warm) await listInSession(gateway.url, key, id);
    await Promise.all(
      warm.map((id) =>
        fetch(gateway.url, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${key}`, 'mcp-session-id': id },
        }).then((r) => r.body?.cancel()),
      ),
    );
    const ids: string[] = [];
    const levels: Level[] = [];
    for (const target of opts.levels) {
      await inBatches(ids.length, target, 16, async (i) => {
        ids.push(await openSession(gateway.url, key, i));
      });
      levels.push(await settle(inspector, gateway.pid, ids.length, opts.settleMs));
    }
    await inBatches(0, ids.length, 16, (i) => listInSession(gateway.url, key, ids[i] as string));
    const afterList = await settle(inspector, gateway.pid, ids.length, opts.settleMs);
    const line = levels.map(
      (l) =>
        `${l.sessions}: RSS ${(l.rss / KB / KB).toFixed(1)} MB heap ${((l.heap.used + l.heap.external) / KB / KB).toFixed(1)} MB`,
    );
    console.log(`  sessions round ${round + 1} (${loadLine()}): ${line.join(' | ')}`);
    return { levels, afterList, load: loadNow() };
  } finally {
    inspector?.close();
    await gateway.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// (b) Authentication with many principals.

export interface AuthRound {
  perSecond: number;
  p50: number;
  cpuPer1k: number;
  load: number;
}

/** A fetch that sends the next key of `keys` on every request. */
function rotatingKeys(keys: readonly string[]): typeof fetch {
  let next = 0;
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${keys[next++ % keys.length]}`);
    return fetch(input, { ...init, headers });
  };
}

async function callRound(
  opts: SessionOptions,
  client: Awaited<ReturnType<typeof connectClient>>,
  pid: number,
  calls: number,
  offset: number,
): Promise<AuthRound> {
  const latencies = new Float64Array(calls);
  let next = 0;
  const cpuBefore = cpuMs(pid) ?? Number.NaN;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(opts.concurrency, calls) }, async () => {
      while (next < calls) {
        const i = next++;
        const t0 = performance.now();
        const result = await client.callTool({ name: TOOL, arguments: { id: `INV-${offset + i}` } });
        latencies[i] = performance.now() - t0;
        const text = (result.content as { text?: string }[] | undefined)?.[0]?.text ?? '';
        if (result.isError || !text.startsWith(`${TOOL}: ok`)) {
          throw new Error(`unexpected answer: ${JSON.stringify(result).slice(0, 300)}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  return {
    perSecond: calls / seconds,
    p50: percentile(latencies, 0.5),
    cpuPer1k: (((cpuMs(pid) ?? Number.NaN) - cpuBefore) * 1000) / calls,
    load: loadNow(),
  };
}

export interface AuthResults {
  createMs: number;
  pool: AuthRound[];
  single: AuthRound[];
}

export async function authBench(opts: SessionOptions, dir: string, children: Child[]): Promise<AuthResults> {
  const storage = join(dir, 'principals.db');
  const store = new SqliteApiKeys(storage);
  const t0 = performance.now();
  const pool = Array.from(
    { length: opts.keys },
    (_, i) => store.create({ user: `user-${i}`, roles: ['bench'] }).key,
  );
  const createMs = performance.now() - t0;
  const single = store.create({ user: 'single', roles: ['bench'] }).key;
  store.close();
  console.log(`  ${opts.keys.toLocaleString('en-US')} API keys created in ${(createMs / 1000).toFixed(1)} s`);
  const gateway = await startGatewayChild(
    join(dir, 'principals.yaml'),
    gatewayYaml(storage),
    'gateway (principals)',
  );
  children.push(gateway);
  const clients = {
    pool: await connectClient(gateway.url, 'modern', { fetch: rotatingKeys(pool) }),
    single: await connectClient(gateway.url, 'modern', { headers: { authorization: `Bearer ${single}` } }),
  };
  const results: AuthResults = { createMs, pool: [], single: [] };
  let offset = 0;
  try {
    const warm = Math.max(20, Math.floor(opts.calls / 5));
    for (const client of Object.values(clients)) {
      await callRound(opts, client, gateway.pid, warm, offset);
      offset += warm;
    }
    for (let r = 0; r < opts.authRounds; r++) {
      const order = r % 2 === 0 ? (['pool', 'single'] as const) : (['single', 'pool'] as const);
      const line: string[] = [];
      for (const name of order) {
        const round = await callRound(opts, clients[name], gateway.pid, opts.calls, offset);
        offset += opts.calls;
        results[name].push(round);
        line.push(`${name} ${round.perSecond.toFixed(0)}/s, ${round.cpuPer1k.toFixed(0)} cpu-ms/1k`);
      }
      console.log(`  principals round ${r + 1} (${loadLine()}): ${line.join(' | ')}`);
    }
  } finally {
    await Promise.allSettled(Object.values(clients).map((c) => c.close()));
  }
  return results;
}
