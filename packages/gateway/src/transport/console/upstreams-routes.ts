/**
 * /console/upstreams: the upstreams as the gateway holds them (gateway.readiness(), the same as
 * /readyz, plus each upstream's restarts and load) with their recent traffic from the one metrics
 * history; /console/upstreams/live is the refreshed part; /console/upstreams/<name> one upstream.
 */
import type { Context, Hono } from 'hono';
import type { BreakerModel, ResilienceModel } from '../../config/model-resilience.ts';
import type { Gateway } from '../../gateway.ts';
import { metricsHistory, overall, type Sample } from '../../observability/metrics-history.ts';
import { upstreamCounter } from '../../observability/metrics-read.ts';
import type { Upstream } from '../../upstream/upstream.ts';
import type { ConsoleDeps, ConsoleEnv } from './console-app.ts';
import { LIVE_SCRIPT, LIVE_SCRIPT_HEADERS } from './console-live.ts';
import {
  type UpstreamDetail,
  type UpstreamRow,
  upstreamPage,
  upstreamsLive,
  upstreamsPage,
} from './upstreams-page.ts';

/** The window the upstreams page's calls, latency and error rate cover. */
const RECENT_MS = 5 * 60_000;
const WINDOW = { ms: RECENT_MS };

async function recentSamples(gateway: Gateway): Promise<Sample[] | null> {
  return gateway.metrics === null ? null : metricsHistory(gateway.metrics).upToNow(RECENT_MS);
}

async function rowsOf(gateway: Gateway): Promise<UpstreamRow[]> {
  const samples = await recentSamples(gateway);
  const readiness = gateway.readiness();
  return readiness.upstreams.map((u, i) => {
    const upstream = gateway.upstreams[i] as Upstream;
    return {
      ...u,
      restarts: upstream.restarts,
      transport: upstream.model.transport,
      recent: samples === null ? null : overall(samples, 'upstream', u.name),
    };
  });
}

function breakerSetting(breaker: BreakerModel): string {
  if (breaker.mode === 'off') return 'off';
  const after = `half-open after ${breaker.halfOpenAfterMs} ms`;
  return breaker.mode === 'consecutive'
    ? `opens after ${breaker.failures} failures in a row; ${after}`
    : `opens when ${breaker.ratio * 100}% of the last ${breaker.window} calls fail (at least ${breaker.minimumCalls}); ${after}`;
}

function settingsOf(r: ResilienceModel): UpstreamDetail['settings'] {
  return [
    { label: 'Attempt timeout', value: `${r.timeoutMs} ms` },
    { label: 'Deadline', value: `${r.deadlineMs} ms` },
    { label: 'Attempts (read-only and idempotent calls)', value: String(r.retry.maxAttempts) },
    { label: 'Circuit breaker', value: breakerSetting(r.breaker) },
    { label: 'Bulkhead', value: `${r.bulkhead.maxConcurrent} running, ${r.bulkhead.queue} waiting` },
  ];
}

async function detailOf(gateway: Gateway, upstream: Upstream, row: UpstreamRow): Promise<UpstreamDetail> {
  const m = gateway.metrics;
  const count = async (label: string, counter: Parameters<typeof upstreamCounter>[0] | undefined) => ({
    label,
    value: counter === undefined ? 0 : await upstreamCounter(counter, upstream.name),
  });
  const counters =
    m === null
      ? []
      : await Promise.all([
          count('Retried attempts', m.retries),
          count('Timeouts (attempt or deadline)', m.timeouts),
          count('Refused by a full bulkhead', m.rejections),
          count('Circuit-breaker changes', m.breakerTransitions),
          count('Evictions after failed health probes', m.evictions),
        ]);
  const samples = await recentSamples(gateway);
  const last = samples?.[samples.length - 1];
  const tools =
    samples === null || last === undefined
      ? []
      : [...last.reading.toolUpstream]
          .filter(([, name]) => name === upstream.name)
          .map(([tool]) => ({ name: tool, recent: overall(samples, 'tool', tool) }))
          .filter((t) => t.recent.count > 0)
          .sort((a, b) => b.recent.count - a.recent.count || a.name.localeCompare(b.name));
  return {
    row,
    pid: upstream.pid,
    ...upstream.resilience.load,
    counters,
    tools,
    settings: settingsOf(upstream.model.resilience),
  };
}

export function upstreamsRoutes(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { gateway } = deps;
  // The history starts sampling now, so the first minutes are there when the page is opened.
  if (gateway.metrics !== null) metricsHistory(gateway.metrics);
  app.get('/assets/upstreams.js', (c) => c.body(LIVE_SCRIPT, 200, LIVE_SCRIPT_HEADERS));
  app.get('/upstreams', async (c) =>
    c.html(
      upstreamsPage({
        session: c.get('session'),
        readiness: gateway.readiness(),
        rows: await rowsOf(gateway),
        window: WINDOW,
      }),
    ),
  );
  app.get('/upstreams/live', async (c) =>
    c.html(upstreamsLive(gateway.readiness(), await rowsOf(gateway), WINDOW)),
  );
  app.get('/upstreams/:name', async (c: Context<ConsoleEnv>) => {
    const name = c.req.param('name') ?? '';
    const index = gateway.upstreams.findIndex((u) => u.name === name);
    const row = (await rowsOf(gateway))[index];
    const upstream = gateway.upstreams[index];
    if (row === undefined || upstream === undefined) {
      const known = gateway.upstreams.map((u) => u.name).join(', ') || 'none';
      return c.text(`There is no upstream "${name}" in this configuration (upstreams: ${known}).`, 404);
    }
    return c.html(
      upstreamPage({
        session: c.get('session'),
        detail: await detailOf(gateway, upstream, row),
        window: WINDOW,
      }),
    );
  });
}
