/**
 * Observability through the front door: the Prometheus exposition at /metrics after calls that
 * succeed, fail, time out, are rate limited, queued for approval, overloaded or cancelled (and its
 * token and off switch); OpenTelemetry spans per request, per pipeline stage and per upstream
 * attempt, continuing the caller's W3C trace and passing it on to stdio and HTTP upstreams; and
 * the JSON logs of the real CLI (stderr only: stdout carries nothing but the endpoint line, or
 * the stdio protocol).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/client';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import {
  connectClient,
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  textOf,
  toolFailure,
  waitFor,
} from './helpers/harness.ts';
import {
  attemptsOf,
  auditedTrace,
  BIN,
  type CallerTrace,
  callerTrace,
  childrenOf,
  cliConfig,
  faultUpstreamYaml,
  jsonLines,
  metricsOf,
  only,
  parseExposition,
  type Sample,
  type Spawned,
  sampleValue,
  scrape,
  selectSamples,
  spansOf,
  spawnAnnouncing,
  spawnFaultHttp,
  spawnNode,
  startTracedGateway,
  type TracedGateway,
  waitForSamples,
} from './helpers/spans.ts';

const GAUGES =
  'upstream_up breaker_state bulkhead_active bulkhead_queue_depth approvals_pending audit_queue_depth sessions requests_in_flight';
const COUNTERS =
  'requests_total upstream_retries_total upstream_timeouts_total upstream_restarts_total upstream_evictions_total ' +
  'bulkhead_rejections_total breaker_transitions_total rate_limit_hits_total approvals_total config_reloads_total';

/** Asserts the samples `expected` selects (see selectSamples) have exactly those values. */
function expectSamples(samples: Sample[], expected: Record<string, number>): void {
  assert.deepEqual(selectSamples(samples, Object.keys(expected)), expected);
}

describe('Prometheus metrics', () => {
  let gw: TestGateway;
  let client: Client;

  before(async () => {
    gw = await startGateway(`upstreams:
${fixtureUpstreamYaml('alpha')}
${faultUpstreamYaml('faulty', '    maxInFlight: 1\n    resilience: { queue: 2, retry: { maxAttempts: 2, initialDelayMs: 10 } }\n')}
${faultUpstreamYaml('slowpoke', '    timeoutMs: 1500\n    resilience: { retry: { maxAttempts: 1 }, breaker: { failures: 1, halfOpenAfterMs: 600000 } }\n')}
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
    const hang = (a: AbortController) =>
      client.callTool({ name: 'faulty_hang', arguments: {} }, { signal: a.signal }).catch((e: unknown) => e);
    const running = [hang(aborts[0] as AbortController)];
    await waitForSamples(gw.url, { 'bulkhead_active{upstream="faulty"}': 1 });
    running.push(hang(aborts[1] as AbortController), hang(aborts[2] as AbortController));
    await waitForSamples(gw.url, { 'bulkhead_queue_depth{upstream="faulty"}': 2 });
    const samples = await metricsOf(gw.url);
    assert.ok((sampleValue(samples, 'gatehouse_requests_in_flight') ?? 0) >= 3);
    expectSamples(samples, {
      'bulkhead_active{upstream="faulty"}': 1,
      'bulkhead_active{upstream="alpha"}': 0,
      sessions: 1, // the legacy client's
    });
    // Slot and queue are full: the next call is refused at once.
    const refused = await toolFailure(client.callTool({ name: 'faulty_echo', arguments: { text: 'x' } }));
    assert.equal(refused.code, -32052);
    for (const a of aborts) a.abort();
    await Promise.all(running);
    await waitForSamples(gw.url, {
      'bulkhead_active{upstream="faulty"}': 0,
      'bulkhead_queue_depth{upstream="faulty"}': 0,
      requests_in_flight: 0,
      'bulkhead_rejections_total{upstream="faulty"}': 1,
      'requests_total{tool="faulty_hang",upstream="faulty",outcome="cancelled"}': 3,
      'requests_total{tool="faulty_echo",upstream="faulty",outcome="overloaded"}': 1,
    });
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
    await waitForSamples(gw.url, {
      'upstream_up{upstream="faulty"}': 1,
      'upstream_restarts_total{upstream="faulty"}': 1,
    });

    const got = await scrape(gw.url);
    assert.equal(got.status, 200);
    assert.match(got.type ?? '', /^text\/plain; version=0\.0\.4/);
    const { samples, types } = parseExposition(got.text);
    for (const family of GAUGES.split(' ')) assert.equal(types.get(`gatehouse_${family}`), 'gauge', family);
    for (const family of COUNTERS.split(' '))
      assert.equal(types.get(`gatehouse_${family}`), 'counter', family);
    assert.equal(types.get('gatehouse_request_duration_seconds'), 'histogram');
    expectSamples(samples, {
      'requests_total{method="tools/call",tool="alpha_echo",upstream="alpha",outcome="ok"}': 2,
      'requests_total{tool="alpha_echo",upstream="alpha",outcome="rate_limited"}': 1,
      'requests_total{tool="alpha_pid",upstream="alpha",outcome="awaiting_approval"}': 1,
      'requests_total{tool="faulty_fail_times",upstream="faulty",outcome="ok"}': 1,
      'requests_total{tool="faulty_fail_times",upstream="faulty",outcome="error"}': 1,
      'requests_total{tool="slowpoke_slow",upstream="slowpoke",outcome="timeout"}': 1,
      'requests_total{tool="slowpoke_echo",upstream="slowpoke",outcome="circuit_open"}': 1,
      'requests_total{tool="faulty_crash",upstream="faulty",outcome="unavailable"}': 1,
      'upstream_up{upstream="alpha"}': 1,
      'upstream_up{upstream="faulty"}': 1,
      'upstream_up{upstream="slowpoke"}': 1,
      'upstream_up{upstream="dead"}': 0,
      'breaker_state{upstream="alpha"}': 0,
      'breaker_state{upstream="faulty"}': 0,
      'breaker_state{upstream="slowpoke"}': 2, // open
      'breaker_transitions_total{upstream="slowpoke",state="open"}': 1,
      'bulkhead_active{upstream="faulty"}': 0,
      'bulkhead_queue_depth{upstream="faulty"}': 0,
      'bulkhead_active{upstream="dead"}': 0,
      'bulkhead_queue_depth{upstream="dead"}': 0,
      'upstream_retries_total{upstream="faulty"}': 2,
      'upstream_timeouts_total{upstream="slowpoke",kind="attempt"}': 1,
      'upstream_restarts_total{upstream="faulty"}': 1,
      'rate_limit_hits_total{rule="echo-cap"}': 1,
      'approvals_total{outcome="queued"}': 1,
      approvals_pending: 1,
      // This scrape is all that is running, and it is not an MCP request.
      requests_in_flight: 0,
      sessions: 1,
    });
    const depth = sampleValue(samples, 'gatehouse_audit_queue_depth');
    assert.ok(depth !== undefined && depth >= 0);

    // The histogram: 16 cumulative buckets and +Inf, which equals the count of the series.
    const echo = 'tool="alpha_echo",upstream="alpha",outcome="ok"';
    const buckets = samples
      .filter((s) => s.name === 'gatehouse_request_duration_seconds_bucket' && s.labels.tool === 'alpha_echo')
      .filter((s) => s.labels.outcome === 'ok')
      .map((s) => s.value);
    assert.equal(buckets.length, 17);
    assert.deepEqual(
      buckets,
      buckets.toSorted((x, y) => x - y),
      'cumulative',
    );
    expectSamples(samples, {
      [`request_duration_seconds_bucket{${echo},le="+Inf"}`]: 2,
      [`request_duration_seconds_count{${echo}}`]: 2,
      'request_duration_seconds_bucket{tool="slowpoke_slow",le="1"}': 0,
    });
    const sum = sampleValue(samples, 'gatehouse_request_duration_seconds_sum', { tool: 'alpha_echo' }) ?? -1;
    assert.ok(sum > 0 && sum < 120, `duration sum ${sum}`);

    // Process metrics under the same prefix; nothing outside it.
    const runtime = selectSamples(samples, [
      'process_cpu_user_seconds_total',
      'process_start_time_seconds',
      'nodejs_heap_size_used_bytes',
    ]);
    for (const [name, value] of Object.entries(runtime)) assert.ok((value ?? 0) > 0, name);
    assert.deepEqual(
      samples.filter((s) => !s.name.startsWith('gatehouse_')),
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
  function serverSpan(spans: ReturnType<typeof spansOf>, caller: CallerTrace) {
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
      const headers: Record<string, string> = via === 'header' ? { traceparent: caller.traceparent } : {};
      const client = await connectClient(gw.url, era, undefined, {}, headers);
      clients.push(client);
      const _meta = via === '_meta' ? { traceparent: caller.traceparent } : undefined;
      const result = await client.callTool({ name: 'faulty_echo', arguments: { text: via }, _meta });
      assert.equal(textOf(result), `faulty: ${via}`);
      const spans = await traced(caller);
      const server = serverSpan(spans, caller);
      const {
        'gatehouse.outcome': outcome,
        'gatehouse.upstream': upstream,
        'gatehouse.target': target,
      } = server.attributes;
      // The target as the upstream names it (the exposed name is faulty_echo).
      assert.deepEqual([outcome, upstream, target], ['ok', 'faulty', 'echo']);
      assert.notEqual(server.status.code, SpanStatusCode.ERROR);
      // Each stage is a child of the one outside it, like the onion they form.
      let parent = server;
      for (const stage of STAGES) {
        const [child, ...others] = childrenOf(spans, parent);
        assert.equal(others.length, 0, `one child of ${parent.name}`);
        assert.equal(child?.name, `gatehouse.${stage}`);
        parent = child as typeof server;
      }
      const call = only(childrenOf(spans, parent), 'mcp.upstream tools/call');
      assert.equal(call.kind, SpanKind.CLIENT);
      assert.deepEqual(
        [call.attributes['gatehouse.upstream'], call.attributes['gatehouse.attempt']],
        ['faulty', 1],
      );
      assert.equal(spans.length, 2 + STAGES.length);

      const records = await auditedTrace(gw.storage, caller.traceId);
      assert.deepEqual(
        records.map((r) => [r.method, r.target, r.status]),
        [['tools/call', 'faulty_echo', 'ok']],
      );
    });
  }

  it('marks a failed call ERROR and gives every upstream attempt its own span', async () => {
    const client = await connectClient(gw.url, 'legacy');
    clients.push(client);

    const failTimes = (key: string, failures: number, caller: CallerTrace) =>
      client.callTool({
        name: 'faulty_fail_times',
        arguments: { key, failures },
        _meta: { traceparent: caller.traceparent },
      });
    const failing = callerTrace();
    assert.equal((await toolFailure(failTimes('never', 99, failing))).code, -32603);
    let spans = await traced(failing);
    const server = serverSpan(spans, failing);
    assert.equal(server.status.code, SpanStatusCode.ERROR);
    assert.equal(server.attributes['gatehouse.outcome'], 'error');
    assert.deepEqual(attemptsOf(spans), ['1 failed', '2 failed', '3 failed']);
    const dispatch = only(spans, 'gatehouse.dispatch');
    assert.equal(dispatch.status.code, SpanStatusCode.ERROR);
    assert.equal(childrenOf(spans, dispatch).length, 3, 'the attempts are children of dispatch');

    const recovering = callerTrace();
    assert.equal(textOf(await failTimes('twice', 2, recovering)), 'ok after 3 attempts');
    spans = await traced(recovering);
    assert.notEqual(serverSpan(spans, recovering).status.code, SpanStatusCode.ERROR);
    assert.deepEqual(attemptsOf(spans), ['1 failed', '2 failed', '3 ok']);
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
      const headers: Record<string, string> = era === 'modern' ? { traceparent: caller.traceparent } : {};
      const client = await connectClient(gw.url, era, undefined, {}, headers);
      clients.push(client);
      const _meta = era === 'legacy' ? { traceparent: caller.traceparent } : undefined;
      const seen = async (upstream: string) => {
        const result = await client.callTool({ name: `${upstream}_trace_context`, arguments: {}, _meta });
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
      const { rid, ms, trace, method, principal, upstream, target, outcome, transport, service, level } =
        logged() as Record<string, unknown>;
      assert.match(String(rid), /^[0-9a-f-]{36}$/);
      assert.equal(typeof ms, 'number');
      assert.deepEqual(
        { trace, method, principal, upstream, target, outcome, transport, service, level },
        {
          trace: caller.traceId,
          method: 'tools/call',
          principal: 'anonymous',
          upstream: 'alpha',
          target: 'echo', // as the upstream names it
          outcome: 'ok',
          transport: 'http',
          service: 'gatehouse',
          level: 20, // debug
        },
      );

      proc.child.kill('SIGTERM');
      assert.equal(await proc.exited, 0, proc.stderr());
      assert.equal(proc.stdout(), `Gatehouse MCP endpoint: ${url}\n`);
      assert.match(proc.stderr(), /\n$/);
      const all = jsonLines(proc.stderr(), 'stderr');
      assert.ok(all.some((l) => l.msg === 'gatehouse listening' && l.url === url));
      assert.ok(all.some((l) => l.msg === 'gateway stopped'));
    } finally {
      await proc.kill();
    }
  });

  it('stdio: stdout carries only JSON-RPC messages, the logs go to stderr as JSON', async () => {
    const proc = spawnNode([BIN, 'stdio', '--config', cliConfig()], {}, true);
    try {
      const caller = callerTrace();
      const send = (message: Record<string, unknown>) =>
        proc.child.stdin?.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
      const answer = (id: number) => jsonLines(proc.stdout(), 'stdout').find((m) => m.id === id);
      const logged = () =>
        jsonLines(proc.stderr(), 'stderr').find((l) => l.msg === 'request' && l.trace === caller.traceId);
      const clientInfo = { name: 'raw', version: '1' };
      send({
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo },
      });
      await waitFor(() => answer(1) !== undefined, 30_000, 'the initialize answer');
      send({ method: 'notifications/initialized' });
      const _meta = { traceparent: caller.traceparent };
      send({
        id: 2,
        method: 'tools/call',
        params: { name: 'alpha_echo', arguments: { message: 'raw' }, _meta },
      });
      await waitFor(() => answer(2) !== undefined, 20_000, 'the tools/call answer');
      assert.equal(textOf((answer(2) as { result: { content?: unknown } }).result), 'alpha: raw');
      await waitFor(() => logged() !== undefined, 20_000, 'the request log line');
      assert.deepEqual(
        [logged()?.transport, logged()?.principal, logged()?.target, logged()?.outcome],
        ['stdio', 'stdio:local', 'echo', 'ok'],
      );
      proc.child.stdin?.end();
      assert.equal(await proc.exited, 0, proc.stderr());
      assert.match(proc.stdout(), /\n$/);
      for (const message of jsonLines(proc.stdout(), 'stdout')) assert.equal(message.jsonrpc, '2.0');
      assert.match(proc.stderr(), /\n$/);
      assert.ok(jsonLines(proc.stderr(), 'stderr').some((l) => l.msg === 'gateway stopped'));
    } finally {
      await proc.kill();
    }
  });
});
