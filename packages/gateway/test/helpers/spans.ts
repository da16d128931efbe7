/**
 * Helpers for the observability tests: a tracing gateway whose spans land in memory, W3C trace
 * contexts for callers, span look-ups, fault-server upstreams (stdio YAML, or a spawned HTTP
 * server), and child processes that announce a URL on stdout.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { openAccess } from '../../src/access.ts';
import { Gateway } from '../../src/gateway.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { listenHttp } from '../../src/transport/http-server.ts';
import { modelFromYaml, OPEN_ACCESS_YAML, type TestGateway, tempStorage } from './harness.ts';

export const FAULT_SERVER = fileURLToPath(new URL('../fixtures/fault-server.ts', import.meta.url));

/** A fault-server stdio upstream; `extra` holds further (4-space indented) upstream settings. */
export function faultUpstreamYaml(name: string, extra = ''): string {
  return `  - name: ${name}
    transport: stdio
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(FAULT_SERVER)}]
    env: { FAULT_NAME: ${name} }
    restart: { initialDelayMs: 50, maxDelayMs: 200 }
${extra}`;
}

/** A caller's place in a trace: fresh random ids and the W3C `traceparent` carrying them. */
export interface CallerTrace {
  traceId: string;
  spanId: string;
  traceparent: string;
}

const hex = (bytes: number): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');

export function callerTrace(): CallerTrace {
  const traceId = hex(16);
  const spanId = hex(8);
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

export interface TracedGateway extends TestGateway {
  /** The embedded database (audit log) of this gateway. */
  storage: string;
}

/**
 * An in-process gateway with tracing on whose spans go to `exporter` (built the way
 * `startGateway` builds one, plus the exporter); open anonymous access and a temp database.
 */
export async function startTracedGateway(
  upstreamsYaml: string,
  exporter: InMemorySpanExporter,
): Promise<TracedGateway> {
  const storage = tempStorage();
  const model = modelFromYaml(`upstreams:
${upstreamsYaml}
observability: { tracing: { enabled: true } }
${OPEN_ACCESS_YAML}
storage: { path: ${JSON.stringify(storage)} }
`);
  model.server.port = 0;
  const log = silentLogger();
  const gateway = new Gateway(model, log, await openAccess(model, log), { spanExporter: exporter });
  gateway.start();
  await gateway.settled(20_000);
  const http = await listenHttp(gateway, model.server, log);
  return {
    gateway,
    http,
    url: http.url,
    storage,
    async close() {
      await http.close();
      await gateway.stop();
    },
  };
}

/** Every finished span of one trace (after `gateway.tracing.flush()`). */
export function spansOf(exporter: InMemorySpanExporter, traceId: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
}

/** The spans whose parent is `parent`. */
export function childrenOf(spans: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  const id = parent.spanContext().spanId;
  return spans.filter((s) => s.parentSpanContext?.spanId === id);
}

/** The one span of `spans` named `name`; fails when there is not exactly one. */
export function only(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one span "${name}", found ${found.length} among ${spans.map((s) => s.name)}`);
  }
  return found[0] as ReadableSpan;
}

/** A child process and everything it wrote so far. */
export interface Spawned {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
  /** SIGKILLs the process (when still running) and waits for it. */
  kill(): Promise<void>;
}

/**
 * Runs `node <args>` and resolves once its stdout matches `pattern` (the URL it announces), with
 * the first capture group; fails when it exits first or takes longer than 30 s.
 */
export async function spawnAnnouncing(
  args: string[],
  pattern: RegExp,
  env: Record<string, string> = {},
): Promise<{ url: string; proc: Spawned }> {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: Spawned = {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const match = pattern.exec(out);
    if (match) return { url: match[1] as string, proc };
    if (child.exitCode !== null || child.signalCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  await proc.kill();
  throw new Error(
    `${args.join(' ')} did not announce ${pattern}:\nstdout: ${out}\nstderr: ${err.slice(-4000)}`,
  );
}

/** The fault server serving Streamable HTTP on a free loopback port. */
export function spawnFaultHttp(name: string): Promise<{ url: string; proc: Spawned }> {
  return spawnAnnouncing([FAULT_SERVER], /^FAULT_URL (\S+)$/m, { FAULT_HTTP_PORT: '0', FAULT_NAME: name });
}
