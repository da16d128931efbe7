/**
 * The metrics history the console charts: readings of the registry's request histograms, the
 * quantiles Prometheus's histogram_quantile would give, a ring that keeps only its window, and
 * series whose points are the differences between readings.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { GatewayMetrics } from '../src/observability/metrics.ts';
import { MetricsHistory, overall, series } from '../src/observability/metrics-history.ts';
import { emptyTally, quantile, readRequests } from '../src/observability/metrics-read.ts';

function call(m: GatewayMetrics, seconds: number, outcome = 'ok', tool = 'a_echo', role = 'ops'): void {
  m.duration.observe({ method: 'tools/call', tool, upstream: 'a', outcome }, seconds);
  m.roleDuration.observe({ role, outcome }, seconds);
}

it('reads counts, failures and quantiles per upstream, tool and role from the registry', async () => {
  const m = new GatewayMetrics({ processMetrics: false });
  for (let i = 0; i < 8; i++) call(m, 0.003);
  call(m, 0.3, 'timeout', 'a_slow');
  call(m, 0.04, 'awaiting_approval', 'a_slow', 'support');
  const r = await readRequests(m);
  assert.equal(r.total.count, 10);
  assert.equal(r.total.failed, 1, 'only the timeout failed; awaiting approval did not');
  assert.equal(r.tool.get('a_slow')?.count, 2);
  assert.equal(r.toolUpstream.get('a_slow'), 'a');
  assert.equal(r.role.get('ops')?.count, 9);
  // Eight of ten in (0.0025, 0.005]: the median is interpolated there, as histogram_quantile does.
  assert.equal(quantile(r.total, 0.5), 0.0025 + (0.0025 * 5) / 8);
  // The 99th: in (0.25, 0.5], where the tenth request fell.
  assert.ok((quantile(r.total, 0.99) as number) > 0.25 && (quantile(r.total, 0.99) as number) <= 0.5);
  assert.equal(quantile(emptyTally(), 0.5), null);
});

it('keeps readings for its window only, and charts the differences between them', async () => {
  const m = new GatewayMetrics({ processMetrics: false });
  const h = new MetricsHistory(m, { intervalMs: 10_000, windowMs: 60_000 });
  const t0 = 1_000_000;
  await h.sample(t0);
  for (let i = 1; i <= 9; i++) {
    for (let n = 0; n < i; n++) call(m, 0.01, n === 0 && i === 5 ? 'error' : 'ok');
    await h.sample(t0 + i * 10_000);
  }
  call(m, 0.01);
  const samples = await h.upToNow(60_000, t0 + 94_000);
  // Readings at 30 s (the baseline) … 80 s, and now (94 s is under half an interval after 90 s:
  // now replaces the 90 s reading).
  assert.deepEqual(
    samples.map((s) => (s.at - t0) / 1000),
    [30, 40, 50, 60, 70, 80, 94],
  );
  const points = series(samples, 'total');
  assert.deepEqual(
    points.map((p) => p.count),
    [4, 5, 6, 7, 8, 9 + 1],
  );
  assert.equal(points[0]?.rate, 0.4);
  assert.equal(points[1]?.errorRate, 1 / 5);
  assert.equal(overall(samples, 'tool', 'a_echo').count, 4 + 5 + 6 + 7 + 8 + 10);
  // At most maxPoints: two intervals merged per point, from the newest back.
  assert.deepEqual(
    series(samples, 'total', '', 3).map((p) => p.count),
    [4 + 5, 6 + 7, 8 + 10],
  );
});
