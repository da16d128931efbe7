/**
 * Observability through the front door: the Prometheus exposition at /metrics after calls that
 * succeed, fail, time out, are rate limited, queued for approval, overloaded or cancelled (and its
 * token and off switch); OpenTelemetry spans per request, per pipeline stage and per upstream
 * attempt, continuing the caller's W3C trace and passing it on to stdio and HTTP upstreams; and
 * the JSON logs of the real CLI (stderr only: stdout carries nothing but the endpoint line, or
 * the stdio protocol).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { SqliteAuditStore } from '../src/audit/sqlite-store.ts';
import {
  connectClient,
  fixtureUpstreamYaml,
  OPEN_ACCESS_YAML,
  startGateway,
  type TestGateway,
  tempStorage,
  textOf,
  toolFailure,
  waitFor,
} from './helpers/harness.ts';
import {
  callerTrace,
  childrenOf,
  faultUpstreamYaml,
  only,
  type Spawned,
  spansOf,
  spawnAnnouncing,
  spawnFaultHttp,
  startTracedGateway,
  type TracedGateway,
} from './helpers/spans.ts';

const BIN = fileURLToPath(new URL('../bin/gatehouse.mjs', import.meta.url));

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text exposition: its samples and the declared type of each metric family. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const declared = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (declared) types.set(declared[1] as string, declared[2] as string);
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = value as string;
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return { samples, types };
}

/** The value of the sample `name` whose labels include `labels`; undefined when there is none. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

async function scrape(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url.replace(/\/mcp$/, '/metrics'), { headers });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), text };
}

async function metricsOf(url: string): Promise<Sample[]> {
  const got = await scrape(url);
  assert.equal(got.status, 200, got.text);
  return parseExposition(got.text).samples;
}

const GAUGE_FAMILIES = [
  'upstream_up',
  'breaker_state',
  'bulkhead_active',
  'bulkhead_queue_depth',
  'approvals_pending',
  'audit_queue_depth',
  'sessions',
  'requests_in_flight',
];
const COUNTER_FAMILIES = [
  'requests_total',
  'upstream_retries_total',
  'upstream_timeouts_total',
  'upstream_restarts_total',
  'upstream_evictions_total',
  'bulkhead_rejections_total',
  'breaker_transitions_total',
  'rate_limit_hits_total',
  'approvals_total',
  'config_reloads_total',
];

describe('Prometheus metrics', () => {
  let gw: TestGateway;
  let client: Client;

  before(async () => {
    gw = await startGateway(`upstreams:
${fixtureUpstreamYaml('alpha')}
${faultUpstreamYaml('faulty', '    maxInFlight: 1\n    resilience: { queue: 2, retry: { maxAttempts: 2, initialDelayMs: 10 } }\n')}
${faultUpstreamYaml('slowpoke', '    timeoutMs: 3000\n    resilience: { retry: { maxAttempts: 1 }, breaker: { failures: 1, halfOpenAfterMs: 600000 } }\n')}
  - { name: dead, transport: http, url: "http://127.0.0.1:1/mcp" }
rateLimits:
  rules:
    - { name: echo-cap, per: [], tools: [alpha_echo], limit: 2, windowSec: 3600 }
approvals: { mode: queue }
auth:
  anonymous: { roles: [everyone] }
policy:
  groups:
    everything:
      allow:
        - { tools: [alpha_pid], approval: queue }
        - { tools: [alpha_echo, "faulty_*", "slowpoke_*"] }
  roles:
    everyone: { groups: [everything] }
`);
    client = await connectClient(gw.url, 'legacy');
  });

  after(async () => {
    await client?.close();
    await gw?.close();
  });

  it('shows calls in flight, the bulkhead and its queue while they run, and rejections', async () => {
    const aborts = [new AbortController(), new AbortController(), new AbortController()];
    const hang = (signal: AbortSignal) =>
      client.callTool({ name: 'faulty_hang', arguments: {} }, { signal }).catch((e: unknown) => e);
    const running = [hang((aborts[0] as AbortController).signal)];
    const gauge = async (name: string) => valueOf(await metricsOf(gw.url), name, { upstream: 'faulty' });
    await waitFor(async () => (await gauge('gatehouse_bulkhead_active')) === 1, 20_000, 'one active call');
    running.push(hang((aborts[1] as AbortController).signal), hang((aborts[2] as AbortController).signal));
    await waitFor(async () => (await gauge('gatehouse_bulkhead_queue_depth')) === 2, 20_000, 'two queued');
    const samples = await metricsOf(gw.url);
    assert.ok((valueOf(samples, 'gatehouse_requests_in_flight') ?? 0) >= 3);
    assert.equal(valueOf(samples, 'gatehouse_bulkhead_active', { upstream: 'faulty' }), 1);
    assert.equal(valueOf(samples, 'gatehouse_bulkhead_active', { upstream: 'alpha' }), 0);
    assert.equal(valueOf(samples, 'gatehouse_sessions'), 1, 'the legacy client holds one session');
    // Slot and queue are full: the next call is refused at once.
    const refused = await toolFailure(client.callTool({ name: 'faulty_echo', arguments: { text: 'x' } }));
    assert.equal(refused.code, -32052);
    for (const a of aborts) a.abort();
    await Promise.all(running);
    await waitFor(
      async () => {
        const s = await metricsOf(gw.url);
        return (
          valueOf(s, 'gatehouse_bulkhead_active', { upstream: 'faulty' }) === 0 &&
          valueOf(s, 'gatehouse_bulkhead_queue_depth', { upstream: 'faulty' }) === 0 &&
          valueOf(s, 'gatehouse_requests_in_flight') === 0
        );
      },
      20_000,
      'the cancelled calls to leave',
    );
    const settled = await metricsOf(gw.url);
    assert.equal(valueOf(settled, 'gatehouse_bulkhead_rejections_total', { upstream: 'faulty' }), 1);
    const labels = { method: 'tools/call', tool: 'faulty_hang', upstream: 'faulty', outcome: 'cancelled' };
    assert.equal(valueOf(settled, 'gatehouse_requests_total', labels), 3);
    assert.equal(
      valueOf(settled, 'gatehouse_requests_total', { tool: 'faulty_echo', outcome: 'overloaded' }),
      1,
    );
  });

  it('counts every outcome, and exposes the state gauges and process metrics', async () => {
    const call = (name: string, args: Record<string, unknown> = {}) =>
      client.callTool({ name, arguments: args });
    assert.equal(textOf(await call('alpha_echo', { message: 'a' })), 'alpha: a');
    assert.equal(textOf(await call('alpha_echo', { message: 'b' })), 'alpha: b');
    assert.equal((await toolFailure(call('alpha_echo', { message: 'c' }))).code, -32057);
    const queued = (await call('alpha_pid')) as { isError?: boolean; content?: unknown };
    assert.equal(queued.isError, true);
    assert.match(textOf(queued), /apr_/);
    assert.equal(
      textOf(await call('faulty_fail_times', { key: 'once', failures: 1 })),
      'ok after 2 attempts',
    );
    assert.equal((await toolFailure(call('faulty_fail_times', { key: 'always', failures: 9 }))).code, -32603);
    assert.equal((await toolFailure(call('slowpoke_slow', { ms: 60_000 }))).code, -32051);
    assert.equal((await toolFailure(call('slowpoke_echo', { text: 'x' }))).code, -32059);
    assert.equal((await toolFailure(call('faulty_crash'))).code, -32050);
    await waitFor(
      async () =>
        valueOf(await metricsOf(gw.url), 'gatehouse_upstream_up', { upstream: 'faulty' }) === 1 &&
        valueOf(await metricsOf(gw.url), 'gatehouse_upstream_restarts_total', { upstream: 'faulty' }) === 1,
      20_000,
      'faulty to restart',
    );

    const got = await scrape(gw.url);
    assert.equal(got.status, 200);
    assert.match(got.type ?? '', /^text\/plain; version=0\.0\.4/);
    const { samples, types } = parseExposition(got.text);
    for (const family of GAUGE_FAMILIES) assert.equal(types.get(`gatehouse_${family}`), 'gauge', family);
    for (const family of COUNTER_FAMILIES) assert.equal(types.get(`gatehouse_${family}`), 'counter', family);
    assert.equal(types.get('gatehouse_request_duration_seconds'), 'histogram');

    const requests = (tool: string, upstream: string, outcome: string) =>
      valueOf(samples, 'gatehouse_requests_total', { method: 'tools/call', tool, upstream, outcome });
    assert.equal(requests('alpha_echo', 'alpha', 'ok'), 2);
    assert.equal(requests('alpha_echo', 'alpha', 'rate_limited'), 1);
    assert.equal(requests('alpha_pid', 'alpha', 'awaiting_approval'), 1);
    assert.equal(requests('faulty_fail_times', 'faulty', 'ok'), 1);
    assert.equal(requests('faulty_fail_times', 'faulty', 'error'), 1);
    assert.equal(requests('slowpoke_slow', 'slowpoke', 'timeout'), 1);
    assert.equal(requests('slowpoke_echo', 'slowpoke', 'circuit_open'), 1);
    assert.equal(requests('faulty_crash', 'faulty', 'unavailable'), 1);

    // The histogram: cumulative buckets ending in +Inf, which equals the count of that series.
    const series = { method: 'tools/call', tool: 'alpha_echo', upstream: 'alpha', outcome: 'ok' };
    const buckets = samples.filter(
      (s) =>
        s.name === 'gatehouse_request_duration_seconds_bucket' &&
        Object.entries(series).every(([k, v]) => s.labels[k] === v),
    );
    assert.equal(buckets.length, 17);
    assert.deepEqual(
      buckets.map((b) => b.value),
      buckets.map((b) => b.value).sort((x, y) => x - y),
      'buckets are cumulative',
    );
    assert.equal(buckets.at(-1)?.labels.le, '+Inf');
    assert.equal(buckets.at(-1)?.value, 2);
    assert.equal(valueOf(samples, 'gatehouse_request_duration_seconds_count', series), 2);
    const sum = valueOf(samples, 'gatehouse_request_duration_seconds_sum', series) ?? -1;
    assert.ok(sum > 0 && sum < 120, `duration sum ${sum}`);
    const slow = { tool: 'slowpoke_slow', outcome: 'timeout' };
    assert.ok((valueOf(samples, 'gatehouse_request_duration_seconds_sum', slow) ?? 0) >= 2.9);
    assert.equal(valueOf(samples, 'gatehouse_request_duration_seconds_bucket', { ...slow, le: '1' }), 0);

    const up = (u: string) => valueOf(samples, 'gatehouse_upstream_up', { upstream: u });
    assert.deepEqual([up('alpha'), up('faulty'), up('slowpoke'), up('dead')], [1, 1, 1, 0]);
    const breaker = (u: string) => valueOf(samples, 'gatehouse_breaker_state', { upstream: u });
    assert.deepEqual([breaker('alpha'), breaker('faulty'), breaker('slowpoke')], [0, 0, 2]);
    assert.equal(
      valueOf(samples, 'gatehouse_breaker_transitions_total', { upstream: 'slowpoke', state: 'open' }),
      1,
    );
    for (const u of ['alpha', 'faulty', 'slowpoke', 'dead']) {
      assert.equal(valueOf(samples, 'gatehouse_bulkhead_active', { upstream: u }), 0, u);
      assert.equal(valueOf(samples, 'gatehouse_bulkhead_queue_depth', { upstream: u }), 0, u);
    }
    assert.equal(valueOf(samples, 'gatehouse_upstream_retries_total', { upstream: 'faulty' }), 2);
    assert.equal(
      valueOf(samples, 'gatehouse_upstream_timeouts_total', { upstream: 'slowpoke', kind: 'attempt' }),
      1,
    );
    assert.equal(valueOf(samples, 'gatehouse_upstream_restarts_total', { upstream: 'faulty' }), 1);
    assert.equal(valueOf(samples, 'gatehouse_rate_limit_hits_total', { rule: 'echo-cap' }), 1);
    assert.equal(valueOf(samples, 'gatehouse_approvals_total', { outcome: 'queued' }), 1);
    assert.ok((valueOf(samples, 'gatehouse_approvals_pending') ?? 0) >= 1);
    const auditDepth = valueOf(samples, 'gatehouse_audit_queue_depth');
    assert.ok(auditDepth !== undefined && auditDepth >= 0);
    // This scrape is the only request in flight, and it is not an MCP request.
    assert.equal(valueOf(samples, 'gatehouse_requests_in_flight'), 0);
    assert.equal(valueOf(samples, 'gatehouse_sessions'), 1);

    // Process metrics under the same prefix; nothing outside it.
    for (const name of [
      'gatehouse_process_cpu_user_seconds_total',
      'gatehouse_process_start_time_seconds',
      'gatehouse_nodejs_heap_size_used_bytes',
    ]) {
      assert.ok((valueOf(samples, name) ?? 0) > 0, name);
    }
    assert.deepEqual(
      samples.filter((s) => !s.name.startsWith('gatehouse_')).map((s) => s.name),
      [],
    );
  });

  it('asks for a bearer token when one is configured, and is not served when disabled', async () => {
    const guarded = await startGateway('upstreams: []\nobservability: { metrics: { token: secret } }\n');
    const off = await startGateway('upstreams: []\nobservability: { metrics: { enabled: false } }\n');
    try {
      assert.equal((await scrape(guarded.url)).status, 401);
      assert.equal((await scrape(guarded.url, { authorization: 'Bearer wrong' })).status, 401);
      const ok = await scrape(guarded.url, { authorization: 'Bearer secret' });
      assert.equal(ok.status, 200);
      assert.match(ok.text, /^# TYPE gatehouse_requests_total counter$/m);
      assert.equal((await scrape(off.url)).status, 404);
      assert.equal(off.gateway.metrics, null);
    } finally {
      await guarded.close();
      await off.close();
    }
  });
});

const STAGES = ['answer-for-model', 'audit', 'identify', 'route', 'authorize', 'approve', 'dispatch'];

describe('OpenTelemetry spans', () => {
  const exporter = new InMemorySpanExporter();
  let gw: TracedGateway;
  const clients: Client[] = [];

  before(async () => {
    gw = await startTracedGateway(
      faultUpstreamYaml(
        'faulty',
        '    resilience: { retry: { maxAttempts: 3, initialDelayMs: 10 }, breaker: { mode: off } }\n',
      ),
      exporter,
    );
  });

  after(async () => {
    for (const c of clients) await c.close();
    await gw?.close();
  });

  async function traced(trace = callerTrace()) {
    await gw.gateway.tracing?.flush();
    return spansOf(exporter, trace.traceId);
  }

  /** The request's server span, checked to continue the caller's trace. */
  function serverSpan(spans: ReturnType<typeof spansOf>, caller: ReturnType<typeof callerTrace>) {
    const server = only(spans, 'mcp tools/call');
    assert.equal(server.kind, SpanKind.SERVER);
    assert.equal(server.spanContext().traceId, caller.traceId);
    assert.equal(server.parentSpanContext?.spanId, caller.spanId);
    assert.equal(server.attributes['mcp.method.name'], 'tools/call');
    return server;
  }

  for (const [era, via] of [
    ['legacy', '_meta'],
    ['modern', 'header'],
  ] as const) {
    it(`continues the caller's trace from ${via} (${era}): stage spans nest, then the upstream call`, async () => {
      const caller = callerTrace();
      const client = await connectClient(
        gw.url,
        era,
        undefined,
        {},
        via === 'header' ? { traceparent: caller.traceparent } : {},
      );
      clients.push(client);
      const result = await client.callTool({
        name: 'faulty_echo',
        arguments: { text: via },
        ...(via === '_meta' ? { _meta: { traceparent: caller.traceparent } } : {}),
      });
      assert.equal(textOf(result), `faulty: ${via}`);
      const spans = await traced(caller);
      const server = serverSpan(spans, caller);
      assert.equal(server.attributes['gatehouse.outcome'], 'ok');
      assert.equal(server.attributes['gatehouse.upstream'], 'faulty');
      // The target as the upstream names it (the exposed name is faulty_echo).
      assert.equal(server.attributes['gatehouse.target'], 'echo');
      assert.notEqual(server.status.code, SpanStatusCode.ERROR);
      // Each stage is a child of the one outside it, like the onion they form.
      let parent = server;
      for (const stage of STAGES) {
        const [child, ...others] = childrenOf(spans, parent);
        assert.equal(others.length, 0, `one child of ${parent.name}`);
        assert.equal(child?.name, `gatehouse.${stage}`);
        parent = child as typeof server;
      }
      const upstream = only(childrenOf(spans, parent), 'mcp.upstream tools/call');
      assert.equal(upstream.kind, SpanKind.CLIENT);
      assert.equal(upstream.attributes['gatehouse.upstream'], 'faulty');
      assert.equal(upstream.attributes['gatehouse.attempt'], 1);
      assert.equal(spans.length, 2 + STAGES.length);

      const store = new SqliteAuditStore({ path: gw.storage });
      await store.init();
      try {
        let records: Awaited<ReturnType<SqliteAuditStore['query']>> = [];
        await waitFor(
          async () => {
            records = (await store.query({ method: 'tools/call', target: 'faulty_echo' })).filter(
              (r) => r.traceId === caller.traceId,
            );
            return records.length > 0;
          },
          10_000,
          'the audit record',
        );
        assert.equal(records.length, 1);
        assert.equal(records[0]?.status, 'ok');
      } finally {
        await store.close();
      }
    });
  }

  it('marks a failed call ERROR and gives every upstream attempt its own span', async () => {
    const client = await connectClient(gw.url, 'legacy');
    clients.push(client);
    const attemptsOf = (spans: ReturnType<typeof spansOf>) =>
      spans
        .filter((s) => s.name === 'mcp.upstream tools/call')
        .sort(
          (a, b) => Number(a.attributes['gatehouse.attempt']) - Number(b.attributes['gatehouse.attempt']),
        );

    const failing = callerTrace();
    const failure = await toolFailure(
      client.callTool({
        name: 'faulty_fail_times',
        arguments: { key: 'never', failures: 99 },
        _meta: { traceparent: failing.traceparent },
      }),
    );
    assert.equal(failure.code, -32603);
    let spans = await traced(failing);
    const server = serverSpan(spans, failing);
    assert.equal(server.status.code, SpanStatusCode.ERROR);
    assert.equal(server.attributes['gatehouse.outcome'], 'error');
    let attempts = attemptsOf(spans);
    assert.deepEqual(
      attempts.map((s) => [s.attributes['gatehouse.attempt'], s.status.code]),
      [
        [1, SpanStatusCode.ERROR],
        [2, SpanStatusCode.ERROR],
        [3, SpanStatusCode.ERROR],
      ],
    );
    const dispatch = only(spans, 'gatehouse.dispatch');
    assert.equal(dispatch.status.code, SpanStatusCode.ERROR);
    for (const a of attempts) assert.equal(a.parentSpanContext?.spanId, dispatch.spanContext().spanId);

    const recovering = callerTrace();
    const ok = await client.callTool({
      name: 'faulty_fail_times',
      arguments: { key: 'twice', failures: 2 },
      _meta: { traceparent: recovering.traceparent },
    });
    assert.equal(textOf(ok), 'ok after 3 attempts');
    spans = await traced(recovering);
    assert.notEqual(serverSpan(spans, recovering).status.code, SpanStatusCode.ERROR);
    attempts = attemptsOf(spans);
    assert.deepEqual(
      attempts.map((s) => [s.attributes['gatehouse.attempt'], s.status.code === SpanStatusCode.ERROR]),
      [
        [1, true],
        [2, true],
        [3, false],
      ],
    );
  });

  it('starts a trace of its own when the caller sends none', async () => {
    const client = await connectClient(gw.url, 'modern');
    clients.push(client);
    await gw.gateway.tracing?.flush();
    exporter.reset();
    await client.callTool({ name: 'faulty_echo', arguments: { text: 'untraced' } });
    await gw.gateway.tracing?.flush();
    const server = only(exporter.getFinishedSpans(), 'mcp tools/call');
    assert.equal(server.parentSpanContext, undefined);
    assert.match(server.spanContext().traceId, /^[0-9a-f]{32}$/);
    const upstream = only(spansOf(exporter, server.spanContext().traceId), 'mcp.upstream tools/call');
    assert.equal(upstream.attributes['gatehouse.attempt'], 1);
  });
});

describe('trace context sent to upstreams', () => {
  const exporter = new InMemorySpanExporter();
  let remote: { url: string; proc: Spawned };
  let gw: TracedGateway;
  const clients: Client[] = [];

  before(async () => {
    remote = await spawnFaultHttp('remote');
    gw = await startTracedGateway(
      `  - { name: remote, transport: http, url: ${JSON.stringify(remote.url)} }\n${faultUpstreamYaml('local')}`,
      exporter,
    );
  });

  after(async () => {
    for (const c of clients) await c.close();
    await gw?.close();
    await remote?.proc.kill();
  });

  for (const era of ['legacy', 'modern'] as const) {
    it(`passes the trace on in _meta and, over HTTP, the traceparent header (${era} caller)`, async () => {
      const caller = callerTrace();
      // The legacy caller sends its trace in _meta, the modern one as an HTTP header.
      const client = await connectClient(
        gw.url,
        era,
        undefined,
        {},
        era === 'modern' ? { traceparent: caller.traceparent } : {},
      );
      clients.push(client);
      const seen = async (upstream: string) => {
        const result = await client.callTool({
          name: `${upstream}_trace_context`,
          arguments: {},
          ...(era === 'legacy' ? { _meta: { traceparent: caller.traceparent } } : {}),
        });
        return JSON.parse(textOf(result)) as { meta: string | null; header: string | null };
      };
      const overHttp = await seen('remote');
      const overStdio = await seen('local');
      await gw.gateway.tracing?.flush();
      const spans = spansOf(exporter, caller.traceId);
      const upstreamSpan = (name: string) =>
        spans.find(
          (s) => s.name === 'mcp.upstream tools/call' && s.attributes['gatehouse.upstream'] === name,
        );
      const format = new RegExp(`^00-${caller.traceId}-([0-9a-f]{16})-01$`);

      const httpSpan = upstreamSpan('remote')?.spanContext().spanId;
      assert.ok(httpSpan, 'a client span for the HTTP upstream');
      assert.equal(format.exec(overHttp.meta ?? '')?.[1], httpSpan, `_meta: ${overHttp.meta}`);
      assert.equal(format.exec(overHttp.header ?? '')?.[1], httpSpan, `header: ${overHttp.header}`);
      assert.notEqual(httpSpan, caller.spanId);

      const stdioSpan = upstreamSpan('local')?.spanContext().spanId;
      assert.ok(stdioSpan, 'a client span for the stdio upstream');
      assert.equal(format.exec(overStdio.meta ?? '')?.[1], stdioSpan, `_meta: ${overStdio.meta}`);
      assert.equal(overStdio.header, null);
    });
  }
});

/** A config file for the CLI: one fixture upstream, open access, debug logs, tracing on. */
function cliConfig(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-obs-')), 'gatehouse.yaml');
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

/** Every line of a stream, each parsed as JSON (fails on a line that is not). */
function jsonLines(text: string, what: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`${what} line is not JSON: ${line}`);
      }
    });
}

describe('logs of the CLI', () => {
  it('serve: JSON lines on stderr, the request logged with its trace; stdout only the endpoint', async () => {
    const { url, proc } = await spawnAnnouncing(
      [BIN, 'serve', '--config', cliConfig(), '--port', '0'],
      /^Gatehouse MCP endpoint: (\S+)$/m,
    );
    try {
      // The endpoint is announced before the upstreams have connected: wait until ready.
      const ready = async () => (await fetch(url.replace(/\/mcp$/, '/readyz'))).status === 200;
      await waitFor(ready, 30_000, 'readiness');
      const caller = callerTrace();
      const client = await connectClient(url, 'modern', undefined, {}, { traceparent: caller.traceparent });
      try {
        const result = await client.callTool({ name: 'alpha_echo', arguments: { message: 'logged' } });
        assert.equal(textOf(result), 'alpha: logged');
      } finally {
        await client.close();
      }
      const logged = () =>
        jsonLines(proc.stderr(), 'stderr').find((l) => l.msg === 'request' && l.method === 'tools/call');
      await waitFor(() => logged() !== undefined, 20_000, 'the request log line');
      const line = logged() as Record<string, unknown>;
      assert.match(String(line.rid), /^[0-9a-f-]{36}$/);
      assert.equal(line.trace, caller.traceId);
      assert.equal(line.principal, 'anonymous');
      assert.equal(line.upstream, 'alpha');
      assert.equal(line.target, 'echo');
      assert.equal(line.outcome, 'ok');
      assert.equal(line.transport, 'http');
      assert.equal(line.service, 'gatehouse');
      assert.equal(typeof line.ms, 'number');
      assert.equal(line.level, 20, 'debug');

      proc.child.kill('SIGTERM');
      assert.equal(await proc.exited, 0, proc.stderr());
      assert.equal(proc.stdout(), `Gatehouse MCP endpoint: ${url}\n`);
      const all = jsonLines(proc.stderr(), 'stderr');
      assert.ok(all.some((l) => l.msg === 'gatehouse listening' && l.url === url));
      assert.ok(all.some((l) => l.msg === 'gateway stopped'));
    } finally {
      await proc.kill();
    }
  });

  it('stdio: stdout carries only JSON-RPC messages, the logs go to stderr as JSON', async () => {
    const child = spawn(process.execPath, [BIN, 'stdio', '--config', cliConfig()], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const caller = callerTrace();
      const send = (message: Record<string, unknown>) =>
        child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
      const answered = (id: number) => () => jsonLines(out, 'stdout').some((m) => m.id === id);
      send({
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      });
      await waitFor(answered(1), 30_000, 'the initialize answer');
      send({ method: 'notifications/initialized' });
      send({
        id: 2,
        method: 'tools/call',
        params: {
          name: 'alpha_echo',
          arguments: { message: 'raw' },
          _meta: { traceparent: caller.traceparent },
        },
      });
      await waitFor(answered(2), 20_000, 'the tools/call answer');
      const answer = jsonLines(out, 'stdout').find((m) => m.id === 2) as { result?: { content?: unknown } };
      assert.equal(textOf(answer.result ?? {}), 'alpha: raw');
      await waitFor(
        () => jsonLines(err, 'stderr').some((l) => l.msg === 'request' && l.trace === caller.traceId),
        20_000,
        'the request log line',
      );
      child.stdin.end();
      assert.equal(await exited, 0, err);
      for (const message of jsonLines(out, 'stdout')) assert.equal(message.jsonrpc, '2.0');
      const line = jsonLines(err, 'stderr').find((l) => l.msg === 'request' && l.trace === caller.traceId);
      assert.equal(line?.transport, 'stdio');
      assert.equal(line?.principal, 'stdio:local');
      assert.equal(line?.target, 'echo');
      assert.equal(line?.outcome, 'ok');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
});
