/**
 * Reads the request histograms back out of the gateway's own prom-client registry — per upstream,
 * per tool and per role — so the console shows the numbers /metrics exposes, never a second count.
 * A reading is cumulative (as the histograms are); `minus` gives what happened between two.
 */
import type { OutcomeLabel } from '../errors/registry.ts';
import { DURATION_BUCKETS, type GatewayMetrics } from './metrics.ts';

/** Requests in one group: how many, how many failed, their summed time and cumulative buckets. */
export interface Tally {
  count: number;
  failed: number;
  sumSeconds: number;
  /** Cumulative counts per finite bucket bound of DURATION_BUCKETS (`count` is the +Inf bucket). */
  buckets: number[];
}

export type Dimension = 'upstream' | 'tool' | 'role';

export interface Reading {
  total: Tally;
  upstream: Map<string, Tally>;
  tool: Map<string, Tally>;
  role: Map<string, Tally>;
  /** Which upstream serves each tool seen. */
  toolUpstream: Map<string, string>;
}

/**
 * Outcomes that are not failures: an answer, a question back to the caller, a call queued for
 * approval. Everything else (a tool's own error, a refusal, an upstream fault) counts as failed.
 */
const NOT_FAILED: ReadonlySet<OutcomeLabel> = new Set(['ok', 'input_required', 'awaiting_approval']);

export function isFailedOutcome(outcome: string): boolean {
  return !NOT_FAILED.has(outcome as OutcomeLabel);
}

export function emptyTally(): Tally {
  return { count: 0, failed: 0, sumSeconds: 0, buckets: DURATION_BUCKETS.map(() => 0) };
}

function tallyIn(map: Map<string, Tally>, key: string): Tally {
  let tally = map.get(key);
  if (tally === undefined) {
    tally = emptyTally();
    map.set(key, tally);
  }
  return tally;
}

type HistogramValue = {
  labels: Record<string, string | number | undefined>;
  value: number;
  metricName?: string;
};

/** Adds one exposed histogram sample (`_bucket`, `_sum` or `_count`) to a tally. */
function addSample(tally: Tally, sample: HistogramValue): void {
  const name = sample.metricName ?? '';
  const outcome = String(sample.labels.outcome ?? '');
  if (name.endsWith('_count')) {
    tally.count += sample.value;
    if (isFailedOutcome(outcome)) tally.failed += sample.value;
  } else if (name.endsWith('_sum')) tally.sumSeconds += sample.value;
  else if (name.endsWith('_bucket')) {
    const index = DURATION_BUCKETS.indexOf(Number(sample.labels.le));
    if (index >= 0) tally.buckets[index] = (tally.buckets[index] ?? 0) + sample.value;
  }
}

/** The request histograms as they stand now. */
export async function readRequests(metrics: GatewayMetrics): Promise<Reading> {
  const reading: Reading = {
    total: emptyTally(),
    upstream: new Map(),
    tool: new Map(),
    role: new Map(),
    toolUpstream: new Map(),
  };
  for (const sample of (await metrics.duration.get()).values as HistogramValue[]) {
    addSample(reading.total, sample);
    const upstream = String(sample.labels.upstream ?? '');
    const tool = String(sample.labels.tool ?? '');
    if (upstream !== '') addSample(tallyIn(reading.upstream, upstream), sample);
    if (tool !== '') {
      addSample(tallyIn(reading.tool, tool), sample);
      if (upstream !== '') reading.toolUpstream.set(tool, upstream);
    }
  }
  for (const sample of (await metrics.roleDuration.get()).values as HistogramValue[]) {
    addSample(tallyIn(reading.role, String(sample.labels.role ?? '')), sample);
  }
  return reading;
}

/** What happened between an earlier tally and a later one. */
export function minus(later: Tally, earlier: Tally | undefined): Tally {
  if (earlier === undefined) return later;
  return {
    count: later.count - earlier.count,
    failed: later.failed - earlier.failed,
    sumSeconds: later.sumSeconds - earlier.sumSeconds,
    buckets: later.buckets.map((n, i) => n - (earlier.buckets[i] ?? 0)),
  };
}

/**
 * The q-quantile in seconds, interpolated within its bucket as Prometheus's histogram_quantile
 * does (a rank beyond the last finite bound gives that bound); null without requests.
 */
export function quantile(tally: Tally, q: number): number | null {
  if (tally.count <= 0) return null;
  const rank = q * tally.count;
  let below = 0;
  for (let i = 0; i < DURATION_BUCKETS.length; i++) {
    const upTo = tally.buckets[i] ?? 0;
    if (upTo >= rank) {
      const lower = i === 0 ? 0 : (DURATION_BUCKETS[i - 1] as number);
      const upper = DURATION_BUCKETS[i] as number;
      const inBucket = upTo - below;
      return inBucket <= 0 ? upper : lower + ((upper - lower) * (rank - below)) / inBucket;
    }
    below = upTo;
  }
  return DURATION_BUCKETS[DURATION_BUCKETS.length - 1] as number;
}

/** The share of requests that failed (0–1); null without requests. */
export function errorRate(tally: Tally): number | null {
  return tally.count <= 0 ? null : tally.failed / tally.count;
}

/** A per-upstream counter of the gateway's (retries, timeouts, rejections, evictions…), summed. */
export async function upstreamCounter(
  counter: {
    get(): Promise<{ values: { labels: Record<string, string | number | undefined>; value: number }[] }>;
  },
  upstream: string,
): Promise<number> {
  const { values } = await counter.get();
  return values.filter((v) => v.labels.upstream === upstream).reduce((sum, v) => sum + v.value, 0);
}
