/**
 * Fault-injection helpers: fault-server upstreams (stdio, or a spawned HTTP process), their mode
 * files, a ledger of the calls a test issued (checked against the audit log afterwards), and
 * assertions on the gateway's actionable failures, breaker state and metrics.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Client, RequestOptions } from '@modelcontextprotocol/client';
import { makeTempDir } from '../../../../scripts/test-temp-dir.ts';
import type { SqliteAuditStore } from '../../src/audit/sqlite-store.ts';
import type { Upstream } from '../../src/upstream/upstream.ts';
import { openCommittedAudit } from './audit-reader.ts';
import {
  FAULT_SERVER,
  stdioUpstreamYaml,
  type TestGateway,
  textOf,
  toolFailure,
  waitFor,
} from './harness.ts';

export type FaultMode = 'ok' | 'hang' | 'error' | 'down' | 'malformed';

/** A fault server's FAULT_MODE_FILE, re-read by the server on every request. */
export class ModeFile {
  readonly path: string;
  constructor(dir: string, name: string) {
    this.path = join(dir, `${name}.mode`);
    this.set('ok');
  }
  set(mode: FaultMode): void {
    writeFileSync(this.path, `${mode}\n`);
  }
}

export function tempDir(): string {
  return makeTempDir('gatehouse-faults-');
}

/** A stdio fault-server upstream; `settings` are extra YAML lines (4-space indented). */
export function faultUpstreamYaml(name: string, settings = '', modeFile?: ModeFile): string {
  const env = { FAULT_NAME: name, ...(modeFile ? { FAULT_MODE_FILE: modeFile.path } : {}) };
  return stdioUpstreamYaml(name, FAULT_SERVER, env, settings);
}

export interface HttpFaultServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns the fault server in HTTP mode on a free port; resolves with the URL it prints. */
export async function startHttpFaultServer(name: string, modeFile: ModeFile): Promise<HttpFaultServer> {
  const child = spawn(process.execPath, [FAULT_SERVER], {
    env: { ...process.env, FAULT_HTTP_PORT: '0', FAULT_NAME: name, FAULT_MODE_FILE: modeFile.path },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the HTTP fault server did not start')), 20_000);
    child.once('exit', (code) => reject(new Error(`the HTTP fault server exited (${code})`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = /^FAULT_URL (\S+)$/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Every tools/call a test sends goes through here, so the audit log can be checked against it:
 * calls issued per exposed tool name, failed and cancelled ones included.
 */
export class CallLedger {
  readonly issued = new Map<string, number>();

  call(
    client: Client,
    name: string,
    args: Record<string, unknown> = {},
    options?: RequestOptions,
  ): Promise<Record<string, unknown>> {
    this.issued.set(name, (this.issued.get(name) ?? 0) + 1);
    return client.callTool({ name, arguments: args }, options) as Promise<Record<string, unknown>>;
  }

  async text(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
    const result = await this.call(client, name, args);
    assert.notEqual(result.isError, true, `${name} failed: ${JSON.stringify(result).slice(0, 300)}`);
    return textOf(result);
  }

  async number(client: Client, name: string, args: Record<string, unknown> = {}): Promise<number> {
    return Number(await this.text(client, name, args));
  }

  /** The audit log holds exactly one tools/call record per call issued to each `prefix*` tool. */
  async assertAudited(storagePath: string, prefix: string): Promise<void> {
    const targets = [...this.issued.keys()].filter((t) => t.startsWith(prefix));
    assert.ok(targets.length > 0, `calls were issued to ${prefix}*`);
    const store = await openAudit(storagePath);
    try {
      const count = async (target: string) =>
        (await store.query({ method: 'tools/call', target, limit: 10_000 })).length;
      for (const target of targets) {
        const expected = this.issued.get(target) ?? 0;
        // Answers are sent after their record; an aborted call's record may trail its abort.
        await waitFor(async () => (await count(target)) >= expected, 10_000, `audit of ${target}`).catch(
          () => {},
        );
        assert.equal(await count(target), expected, `audit records for ${target}`);
      }
    } finally {
      await store.close();
    }
  }
}

/** A second reader of the gateway's audit database (once what it journalled is committed). */
export function openAudit(storagePath: string): Promise<SqliteAuditStore> {
  return openCommittedAudit(storagePath);
}

/** "status errorCode" of each audited tools/call of `target`, newest first. */
export async function auditedOutcomes(storagePath: string, target: string): Promise<string[]> {
  const store = await openAudit(storagePath);
  try {
    const records = await store.query({ method: 'tools/call', target, limit: 10_000 });
    return records.map((r) => `${r.status} ${r.errorCode}`);
  } finally {
    await store.close();
  }
}

export interface ActionableFailure {
  code: number | undefined;
  text: string;
  data: Record<string, unknown>;
}

/**
 * The call failed as an `isError` result a model can act on: the expected code, the upstream
 * named in `_meta["dev.gatehouse/error"]`, one "Gatehouse: …" sentence and no stack trace.
 */
export async function expectActionable(
  promise: Promise<unknown>,
  code: number,
  upstream: string,
): Promise<ActionableFailure> {
  const failure = await toolFailure(promise);
  const data = (failure.data ?? {}) as Record<string, unknown>;
  assert.equal(failure.isError, true, `an isError result, got JSON-RPC ${failure.code} ${failure.message}`);
  assert.equal(failure.code, code, `error code (${failure.message})`);
  assert.equal(data.upstream, upstream, 'names the upstream');
  assert.equal(typeof data.reason, 'string', 'gives a reason');
  const text = String(failure.message);
  assert.match(text, /^Gatehouse: /);
  assert.doesNotMatch(text, /\n\s+at |\.ts:\d+/, 'no stack trace');
  return { code: failure.code, text, data };
}

/** tools/list (fresh), and the upstreams its `_meta["dev.gatehouse/unavailable"]` names. */
export async function listedTools(client: Client): Promise<{ names: string[]; unavailable: string[] }> {
  const result = await client.listTools(undefined, { cacheMode: 'refresh' });
  const missing = (result._meta?.['dev.gatehouse/unavailable'] ?? []) as { upstream: string }[];
  return { names: result.tools.map((t) => t.name), unavailable: missing.map((m) => m.upstream) };
}

export function upstreamOf(gw: TestGateway, name: string): Upstream {
  const upstream = gw.gateway.upstreams.find((u) => u.name === name);
  assert.ok(upstream, `upstream ${name}`);
  return upstream;
}

/** The breaker state /readyz reports for an upstream. */
export async function readyzBreaker(gw: TestGateway, name: string): Promise<string | undefined> {
  const response = await fetch(new URL('/readyz', gw.url));
  const body = (await response.json()) as { upstreams: { name: string; breaker: string }[] };
  return body.upstreams.find((u) => u.name === name)?.breaker;
}

export function readinessBreaker(gw: TestGateway, name: string): string | undefined {
  return gw.gateway.readiness().upstreams.find((u) => u.name === name)?.breaker;
}

type CounterName = 'retries' | 'rejections' | 'evictions' | 'restarts';

/** A per-upstream counter of the gateway's metrics (0 when never incremented). */
export async function counterOf(gw: TestGateway, counter: CounterName, upstream: string): Promise<number> {
  const metrics = gw.gateway.metrics;
  assert.ok(metrics, 'metrics are on');
  const { values } = await metrics[counter].get();
  return values.filter((v) => v.labels.upstream === upstream).reduce((sum, v) => sum + v.value, 0);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
