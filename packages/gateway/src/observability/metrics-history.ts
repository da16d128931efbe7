/**
 * The request metrics over time: every `intervalMs` (10 s) a reading of the registry's request
 * histograms is kept, for `windowMs` (the last hour) — one ring per gateway's metrics, shared by
 * every page that charts them. Rates, percentiles and error rates are differences between two
 * readings, so they are the numbers a Prometheus server scraping /metrics would compute.
 */
import type { GatewayMetrics } from './metrics.ts';
import {
  type Dimension,
  emptyTally,
  errorRate,
  minus,
  quantile,
  type Reading,
  readRequests,
  type Tally,
} from './metrics-read.ts';

export const SAMPLE_EVERY_MS = 10_000;
export const KEEP_MS = 60 * 60_000;

export interface Sample {
  at: number;
  reading: Reading;
}

/** One interval of a series: what happened between two readings. */
export interface Point {
  from: number;
  to: number;
  count: number;
  /** Requests per second. */
  rate: number;
  errorRate: number | null;
  p50: number | null;
  p99: number | null;
}

export class MetricsHistory {
  readonly intervalMs: number;
  readonly windowMs: number;
  private readonly metrics: GatewayMetrics;
  private readonly ring: Sample[] = [];

  constructor(metrics: GatewayMetrics, options: { intervalMs?: number; windowMs?: number } = {}) {
    this.metrics = metrics;
    this.intervalMs = options.intervalMs ?? SAMPLE_EVERY_MS;
    this.windowMs = options.windowMs ?? KEEP_MS;
  }

  /** Takes a reading and drops those older than the window (plus one, the window's baseline). */
  async sample(now = Date.now()): Promise<void> {
    this.ring.push({ at: now, reading: await readRequests(this.metrics) });
    while (this.ring.length > 2 && (this.ring[1] as Sample).at <= now - this.windowMs) this.ring.shift();
  }

  /** The kept readings from `sinceMs` ago (and the one just before, as the baseline), plus one now. */
  async upToNow(sinceMs: number, now = Date.now()): Promise<Sample[]> {
    const kept = this.ring.filter((s) => s.at >= now - sinceMs);
    const before = this.ring[this.ring.length - kept.length - 1];
    const current = { at: now, reading: await readRequests(this.metrics) };
    // A reading moments ago would make the last interval too short to say anything: now replaces it.
    const latest = kept[kept.length - 1];
    if (
      latest !== undefined &&
      (before !== undefined || kept.length > 1) &&
      now - latest.at < this.intervalMs / 2
    )
      kept.pop();
    return [...(before === undefined ? [] : [before]), ...kept, current];
  }
}

/** Starts sampling; the timer stops itself once the history is no longer referenced. */
function startSampling(history: MetricsHistory): void {
  const ref = new WeakRef(history);
  void history.sample();
  const timer = setInterval(() => {
    const alive = ref.deref();
    if (alive === undefined) clearInterval(timer);
    else void alive.sample().catch(() => {});
  }, history.intervalMs);
  timer.unref();
}

const histories = new WeakMap<GatewayMetrics, MetricsHistory>();

/** The one history of a gateway's metrics (sampling starts when it is first asked for). */
export function metricsHistory(metrics: GatewayMetrics): MetricsHistory {
  let history = histories.get(metrics);
  if (history === undefined) {
    history = new MetricsHistory(metrics);
    histories.set(metrics, history);
    startSampling(history);
  }
  return history;
}

function tallyOf(reading: Reading, dimension: Dimension | 'total', key: string): Tally | undefined {
  return dimension === 'total' ? reading.total : reading[dimension].get(key);
}

/** What happened to one group between the first and the last sample. */
export function overall(samples: readonly Sample[], dimension: Dimension | 'total', key = ''): Tally {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined || first === last) return emptyTally();
  return minus(tallyOf(last.reading, dimension, key) ?? emptyTally(), tallyOf(first.reading, dimension, key));
}

function point(from: Sample, to: Sample, dimension: Dimension | 'total', key: string): Point {
  const tally = minus(
    tallyOf(to.reading, dimension, key) ?? emptyTally(),
    tallyOf(from.reading, dimension, key),
  );
  const seconds = Math.max((to.at - from.at) / 1000, 0.001);
  return {
    from: from.at,
    to: to.at,
    count: tally.count,
    rate: tally.count / seconds,
    errorRate: errorRate(tally),
    p50: quantile(tally, 0.5),
    p99: quantile(tally, 0.99),
  };
}

/**
 * A group's series over the samples, in at most `maxPoints` intervals (consecutive readings are
 * merged, so a point covers a whole number of sampling intervals).
 */
export function series(
  samples: readonly Sample[],
  dimension: Dimension | 'total',
  key = '',
  maxPoints = 60,
): Point[] {
  if (samples.length < 2) return [];
  const step = Math.max(1, Math.ceil((samples.length - 1) / maxPoints));
  const points: Point[] = [];
  for (let end = samples.length - 1; end > 0; end -= step) {
    const start = Math.max(0, end - step);
    points.unshift(point(samples[start] as Sample, samples[end] as Sample, dimension, key));
  }
  return points;
}

/** The groups of a dimension seen in the samples, busiest first. */
export function busiest(samples: readonly Sample[], dimension: Dimension, limit: number): string[] {
  const last = samples[samples.length - 1];
  if (last === undefined) return [];
  return [...last.reading[dimension].keys()]
    .map((key) => ({ key, count: overall(samples, dimension, key).count }))
    .filter((g) => g.count > 0)
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, limit)
    .map((g) => g.key);
}
