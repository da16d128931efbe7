/**
 * The overhead benchmark's soak (`--soak-seconds N`): stateless 2026-07-28 calls through Gatehouse
 * (full pipeline, stdio bench server upstream) from `concurrency` workers for N seconds after a
 * warm-up, alternating echo and get_deal, with every answer checked. Every sample interval it
 * reads the gateway's resident memory (VmRSS from /proc/<pid>/status; the heap is not visible
 * from /proc, so it is not reported) and the calls answered since the last sample.
 *
 * "No growth": the median RSS of the last three samples within 10% of the median of the first
 * three after warm-up, and the least-squares slope of RSS over the second half below 1 MB/min.
 * Afterwards the audit log must hold one tools/call record per call answered.
 */
import { loadavg } from 'node:os';
import { median, spread } from './figures.ts';
import { callFor, closeClients, openClients } from './overhead-measure.ts';
import { startGatehouse } from './overhead-setups.ts';
import { descendants, processCpuMs, rssMb } from './process-tree.ts';
import type { ChartSpec, ResultTable, TargetCheck } from './results.ts';

export interface SoakOptions {
  seconds: number;
  warmupSeconds: number;
  sampleSeconds: number;
  concurrency: number;
  cpuProfileDir?: string;
}

interface Sample {
  /** Seconds since the end of the warm-up. */
  t: number;
  /** Calls answered since the start (warm-up included). */
  answered: number;
  perSecond: number;
  gatewayRssMb: number;
  upstreamRssMb: number;
  gatewayCpuMs: number;
  load: number;
}

export interface SoakResult {
  tables: ResultTable[];
  charts: ChartSpec[];
  targets: TargetCheck[];
  notes: string[];
  /** Audit records matched calls answered. */
  auditOk: boolean;
}

const GROWTH_LIMIT = 0.1;
const SLOPE_LIMIT_MB_PER_MIN = 1;

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const gateway = await startGatehouse(opts.cpuProfileDir);
  const gatewayPid = gateway.proxyPid as number;
  const upstreamRss = () => descendants(gatewayPid).reduce((sum, pid) => sum + (rssMb(pid) ?? 0), 0);
  let answered = 0;
  let stopping = false;
  let failure: unknown;
  const samples: Sample[] = [];
  try {
    const clients = await openClients(gateway, 'modern', opts.concurrency);
    const workers = clients.map(async (client) => {
      while (!stopping && failure === undefined) {
        const i = gateway.calls++;
        const tool = i % 2 === 0 ? 'echo' : 'get_deal';
        const { args, check } = callFor(tool, i);
        try {
          const result = await client.callTool({ name: tool, arguments: args });
          if (result.isError || !check(result))
            throw new Error(`unexpected answer: ${JSON.stringify(result).slice(0, 300)}`);
          answered++;
        } catch (error) {
          failure ??= error;
        }
      }
    });
    const rssAtStart = rssMb(gatewayPid) ?? Number.NaN;
    await sleep(opts.warmupSeconds * 1000);
    console.log(
      `soak: warm-up ${opts.warmupSeconds} s done (${answered} calls; gateway RSS ${rssAtStart.toFixed(1)} → ${(rssMb(gatewayPid) ?? Number.NaN).toFixed(1)} MB)`,
    );
    const started = performance.now();
    let lastCount = answered;
    let lastTime = started;
    for (let k = 1; performance.now() - started < opts.seconds * 1000 && failure === undefined; k++) {
      await sleep(Math.max(0, started + k * opts.sampleSeconds * 1000 - performance.now()));
      const now = performance.now();
      const sample: Sample = {
        t: (now - started) / 1000,
        answered,
        perSecond: ((answered - lastCount) * 1000) / (now - lastTime),
        gatewayRssMb: rssMb(gatewayPid) ?? Number.NaN,
        upstreamRssMb: upstreamRss(),
        gatewayCpuMs: processCpuMs(gatewayPid) ?? Number.NaN,
        load: loadavg()[0] ?? Number.NaN,
      };
      samples.push(sample);
      lastCount = answered;
      lastTime = now;
      console.log(
        `  soak t=${sample.t.toFixed(0)} s: ${Math.round(sample.perSecond)} calls/s, gateway RSS ${sample.gatewayRssMb.toFixed(1)} MB, upstream RSS ${sample.upstreamRssMb.toFixed(1)} MB, load ${sample.load.toFixed(2)}`,
      );
    }
    stopping = true;
    await Promise.all(workers);
    await closeClients(clients);
    if (failure !== undefined) throw failure;
  } finally {
    stopping = true;
    await gateway.stop();
  }
  try {
    const audited = gateway.auditedCalls() ?? { total: -1, ok: -1 };
    const auditOk = audited.total === answered && audited.ok === answered;
    const auditLine = `soak audit: ${audited.total} tools/call records (${audited.ok} ok) for ${answered} calls answered → ${auditOk ? 'OK' : 'MISMATCH'}`;
    console.log(auditLine);
    const summary = summarize(samples, opts, answered);
    return { ...summary, auditOk, notes: [...summary.notes, auditLine] };
  } finally {
    gateway.removeData();
  }
}

function summarize(samples: Sample[], opts: SoakOptions, answered: number): Omit<SoakResult, 'auditOk'> {
  const rss = samples.map((s) => s.gatewayRssMb);
  const warm = median(rss.slice(0, 3));
  const end = median(rss.slice(-3));
  const secondHalf = samples.filter((s) => s.t >= opts.seconds / 2);
  const slopePerMin = slope(
    secondHalf.map((s) => s.t / 60),
    secondHalf.map((s) => s.gatewayRssMb),
  );
  const growth = end / warm - 1;
  const rates = samples.map((s) => s.perSecond);
  const half = Math.floor(samples.length / 2);
  const first = samples[0];
  const last = samples.at(-1);
  const cpuPer1k =
    first && last && last.answered > first.answered
      ? ((last.gatewayCpuMs - first.gatewayCpuMs) * 1000) / (last.answered - first.answered)
      : Number.NaN;
  const bucketSeconds = Math.max(
    opts.sampleSeconds,
    Math.round(opts.seconds / 10 / opts.sampleSeconds) * opts.sampleSeconds,
  );
  // Sample k (from 1) covers the interval ((k-1)·sampleSeconds, k·sampleSeconds].
  const perBucket = bucketSeconds / opts.sampleSeconds;
  const buckets: { label: string; perSecond: number; last: Sample }[] = [];
  for (let from = 0; from < samples.length; from += perBucket) {
    const inBucket = samples.slice(from, from + perBucket);
    const last = inBucket.at(-1);
    if (last === undefined) continue;
    buckets.push({
      label: `${from * opts.sampleSeconds}–${Math.round(last.t)}`,
      perSecond: inBucket.reduce((sum, x) => sum + x.perSecond, 0) / inBucket.length,
      last,
    });
  }
  const rows = buckets.map((b) => [
    b.label,
    b.perSecond.toFixed(0),
    b.last.gatewayRssMb.toFixed(1),
    b.last.upstreamRssMb.toFixed(1),
    b.last.load.toFixed(2),
  ]);
  const summaryRows = [
    ['calls answered (warm-up included)', String(answered)],
    ['calls/s per sample', spread(rates, 0)],
    [
      'calls/s first half → second half',
      `${median(rates.slice(0, half)).toFixed(0)} → ${median(rates.slice(half)).toFixed(0)}`,
    ],
    ['gateway CPU ms / 1,000 calls', cpuPer1k.toFixed(0)],
    ['gateway RSS after warm-up (median of first 3 samples)', `${warm.toFixed(1)} MB`],
    [
      'gateway RSS at the end (median of last 3 samples)',
      `${end.toFixed(1)} MB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%)`,
    ],
    ['gateway RSS peak', `${Math.max(...rss).toFixed(1)} MB`],
    ['RSS slope over the second half', `${slopePerMin.toFixed(2)} MB/min`],
  ];
  const columns = ['t (s)', 'calls/s', 'gateway RSS MB', 'upstream RSS MB', 'load avg'];
  return {
    tables: [
      {
        title: `Soak: stateless 2026-07-28 through Gatehouse at concurrency ${opts.concurrency}, ${opts.seconds} s`,
        columns: ['measure', 'value'],
        rows: summaryRows,
        caption: `Echo and get_deal alternately, after a ${opts.warmupSeconds} s warm-up; RSS (VmRSS) sampled from /proc every ${opts.sampleSeconds} s.`,
      },
      {
        title: 'Soak over time',
        columns,
        rows,
        caption: 'calls/s: mean of the samples in the interval; RSS: at its last sample.',
      },
    ],
    charts: [
      {
        id: 'soak-rss',
        title: `Gateway RSS during the soak (c${opts.concurrency}, 2026-07-28), at the end of each interval`,
        unit: 'MB',
        series: buckets.map((b) => ({ label: `${b.label} s`, value: b.last.gatewayRssMb })),
        reference: { label: 'after warm-up', value: warm },
      },
      {
        id: 'soak-throughput',
        title: `Throughput during the soak (c${opts.concurrency}, 2026-07-28), mean per interval`,
        unit: 'calls/s',
        series: buckets.map((b) => ({ label: `${b.label} s`, value: b.perSecond })),
      },
    ],
    targets: [
      {
        name: `no memory growth over a ${opts.seconds} s stateless soak at c${opts.concurrency}`,
        target: `end RSS within ${GROWTH_LIMIT * 100}% of the RSS after warm-up and slope < ${SLOPE_LIMIT_MB_PER_MIN} MB/min over the second half`,
        measured: `${warm.toFixed(1)} → ${end.toFixed(1)} MB (${(growth * 100).toFixed(1)}%), slope ${slopePerMin.toFixed(2)} MB/min`,
        pass: growth <= GROWTH_LIMIT && slopePerMin < SLOPE_LIMIT_MB_PER_MIN,
      },
    ],
    notes: [],
  };
}
