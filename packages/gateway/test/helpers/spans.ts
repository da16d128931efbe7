/**
 * Helpers for the observability tests: a tracing gateway whose spans land in memory, W3C trace
 * contexts for callers, span look-ups, the Prometheus exposition parsed, fault-server upstreams
 * (stdio YAML, or a spawned HTTP server), the CLI's config and child processes (with what they
 * wrote), and JSON-lines streams.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { SpanStatusCode } from '@opentelemetry/api';
import type { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace';
import { makeTempDir } from '../../../../scripts/test-temp-dir.ts';
import type { AuditRecord } from '../../src/audit/event.ts';
import { openCommittedAudit } from './audit-reader.ts';
import {
  FAULT_SERVER,
  fixtureUpstreamYaml,
  OPEN_ACCESS_YAML,
  startGateway,
  type TestGateway,
  tempStorage,
  waitFor,
} from './harness.ts';

export const BIN = fileURLToPath(new URL('../../bin/gatehouse.mjs', import.meta.url));
export { FAULT_SERVER };

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
  const yaml = `upstreams:
${upstreamsYaml}
observability: { tracing: { enabled: true } }
storage: { path: ${JSON.stringify(storage)} }
`;
  return { ...(await startGateway(yaml, { spanExporter: exporter })), storage };
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

/** Runs `node <args>` (stdin a pipe when `stdin`), keeping what it writes. */
export function spawnNode(args: string[], env: Record<string, string> = {}, stdin = false): Spawned {
  const child = spawn(process.execPath, args, {
    stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
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
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
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
  const proc = spawnNode(args, env);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const match = pattern.exec(proc.stdout());
    if (match) return { url: match[1] as string, proc };
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  await proc.kill();
  throw new Error(
    `${args.join(' ')} did not announce ${pattern}:\nstdout: ${proc.stdout()}\nstderr: ${proc.stderr().slice(-4000)}`,
  );
}

/** The fault server serving Streamable HTTP on a free loopback port. */
export function spawnFaultHttp(name: string): Promise<{ url: string; proc: Spawned }> {
  return spawnAnnouncing([FAULT_SERVER], /^FAULT_URL (\S+)$/m, { FAULT_HTTP_PORT: '0', FAULT_NAME: name });
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text exposition: its samples and the declared type of each metric family. */
export function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const declared = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (declared) types.set(declared[1] as string, declared[2] as string);
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = value as string;
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return { samples, types };
}

/** The value of the sample `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

/** GET /metrics next to the MCP endpoint `url`. */
export async function scrape(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url.replace(/\/mcp$/, '/metrics'), { headers });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), text };
}

/** The samples of a successful scrape. */
export async function metricsOf(url: string): Promise<Sample[]> {
  const got = await scrape(url);
  if (got.status !== 200) throw new Error(`/metrics answered ${got.status}: ${got.text}`);
  return parseExposition(got.text).samples;
}

/** A config file for the CLI: one fixture upstream, open access, debug logs, tracing on. */
export function cliConfig(): string {
  const file = join(makeTempDir('gatehouse-obs-'), 'gatehouse.yaml');
  writeFileSync(
    file,
    `upstreams:\n${fixtureUpstreamYaml('alpha')}\n${OPEN_ACCESS_YAML}
logging: { level: debug }
observability: { tracing: { enabled: true } }
storage: { path: ${JSON.stringify(tempStorage())} }
`,
  );
  return file;
}

/**
 * Every complete line of a stream (a line still being written is left out), each parsed as JSON;
 * fails on a line that is not.
 */
export function jsonLines(text: string, what: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .slice(0, -1)
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`${what} line is not JSON: ${line}`);
      }
    });
}

/**
 * The values of the samples each selector picks — `name{label="value",…}` with the `gatehouse_`
 * prefix left out, labels a subset of the sample's — keyed by selector (undefined: no sample).
 */
export function selectSamples(
  samples: readonly Sample[],
  selectors: readonly string[],
): Record<string, number | undefined> {
  const picked: Record<string, number | undefined> = {};
  for (const selector of selectors) {
    const [, name, inner] = /^(\w+)(?:\{(.*)\})?$/.exec(selector) ?? [];
    if (name === undefined) throw new Error(`bad selector ${selector}`);
    const labels = Object.fromEntries(
      [...(inner ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k as string, v as string]),
    );
    picked[selector] = sampleValue(samples, `gatehouse_${name}`, labels);
  }
  return picked;
}

/** Waits until a scrape of `url` shows exactly the values `expected` selects (see selectSamples). */
export async function waitForSamples(url: string, expected: Record<string, number>): Promise<void> {
  let last: unknown;
  try {
    await waitFor(
      async () => {
        last = selectSamples(await metricsOf(url), Object.keys(expected));
        return isDeepStrictEqual(last, expected);
      },
      20_000,
      'metrics',
    );
  } catch {
    throw new Error(`metrics never showed ${JSON.stringify(expected)}; last ${JSON.stringify(last)}`);
  }
}

/** The upstream attempts of a traced call, in order: `<attempt> ok|failed`. */
export function attemptsOf(spans: readonly ReadableSpan[]): string[] {
  return spans
    .filter((s) => s.name === 'mcp.upstream tools/call')
    .sort((a, b) => Number(a.attributes['gatehouse.attempt']) - Number(b.attributes['gatehouse.attempt']))
    .map(
      (s) =>
        `${s.attributes['gatehouse.attempt']} ${s.status.code === SpanStatusCode.ERROR ? 'failed' : 'ok'}`,
    );
}

/** The audit records of a trace in the gateway's database (waits for the first one). */
export async function auditedTrace(storage: string, traceId: string): Promise<AuditRecord[]> {
  const store = await openCommittedAudit(storage);
  try {
    let records: AuditRecord[] = [];
    await waitFor(
      async () => {
        records = (await store.query({ limit: 10_000 })).filter((r) => r.traceId === traceId);
        return records.length > 0;
      },
      10_000,
      'an audit record of the trace',
    );
    return records;
  } finally {
    await store.close();
  }
}
