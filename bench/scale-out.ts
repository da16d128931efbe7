/**
 * Scale-out (issue 19): `tools/call` throughput and gateway CPU per call with 1, 2 and 3 gateway
 * replicas behind nginx (Debian's, round-robin, no affinity; GATEHOUSE_TEST_NGINX from
 * scripts/services.sh) sharing PostgreSQL and Redis, and one gateway reached directly with the
 * embedded SQLite default against one with `storage.postgres` + `rateLimits.redis`: the added cost
 * per call of shared state (bench/lib/scale-out-setups.ts has the setups and the config).
 *
 * Every gateway is a `gatehouse serve` child process in front of one shared bench server over
 * Streamable HTTP (bench/upstream/bench-server.ts, its `echo` tool). Setups run one after the
 * other (started, warmed up, measured for --rounds rounds, stopped). Per round: calls/s, p50/p99,
 * gateway CPU per call = the sum over the replicas of user + system time from /proc/<pid>/stat
 * read around the round, divided by the calls; nginx's CPU per call (master and workers) apart.
 * PostgreSQL's and Redis's own CPU is not counted (they are shared services, not ours to read).
 * Eras: 2026-07-28 (stateless; any replica serves any request) and 2025-11-25 (one session per
 * worker; through the balancer only once sessions are shared — a failure is reported in its row).
 *
 * On 2 cores, more replicas cannot add throughput: the figures show the balancer's and the
 * replicas' overhead, not speed-up.
 *
 * Afterwards every setup's audit log (the shared table, or each replica's file) must hold one ok
 * tools/call record per call answered, and `gatehouse audit verify` must pass; otherwise exit 1.
 *
 *   node bench/scale-out.ts [--calls 2000] [--rounds 3] [--warmup 300] [--concurrency 16]
 *        [--replicas 1,2,3] [--eras modern,legacy] [--json FILE]
 *   node bench/scale-out.ts --smoke      (tiny: a few seconds of calls, figures meaningless)
 *
 * Needs `source scripts/services.sh` (PostgreSQL, Redis, nginx).
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { dropPgSchemas } from '../packages/gateway/test/helpers/pg-schema.ts';
import type { Replicas } from '../packages/gateway/test/helpers/replicas.ts';
import { backendCpuMs, backendPids } from './lib/backend-cpu.ts';
import { freePort, startChild } from './lib/children.ts';
import { CLOCK_TICKS, percentile, positiveInt, spread } from './lib/figures.ts';
import { type KeyLookupCost, measureKeyLookups } from './lib/key-lookups.ts';
import { markdownTable } from './lib/markdown.ts';
import { type Era, negotiation } from './lib/overhead-setups.ts';
import { processCpuMs, treeCpuMs } from './lib/process-tree.ts';
import {
  type BenchResult,
  type ChartSpec,
  commandLine,
  figure,
  type ResultTable,
  writeResult,
} from './lib/results.ts';
import { auditedOkCalls, BENCH_KEY, type ScaleSetup, setupsFor, startSetup } from './lib/scale-out-setups.ts';
import { measureTakeovers, type TakeoverCost } from './lib/takeovers.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '16' },
    replicas: { type: 'string', default: '1,2,3' },
    eras: { type: 'string', default: 'modern,legacy' },
    smoke: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

const smoke = values.smoke;
const CALLS = smoke ? 40 : positiveInt(values.calls, 'calls');
const ROUNDS = smoke ? 1 : positiveInt(values.rounds, 'rounds');
const WARMUP = smoke ? 10 : positiveInt(values.warmup, 'warmup');
const CONCURRENCY = smoke ? 4 : positiveInt(values.concurrency, 'concurrency');
const REPLICAS = (smoke ? '1,2' : values.replicas).split(',').map((n) => positiveInt(n.trim(), 'replicas'));
const ERAS = values.eras.split(',').map((era) => {
  if (era !== 'modern' && era !== 'legacy') throw new Error(`--eras: ${era} is not one of modern, legacy`);
  return era as Era;
});
const ERA_LABEL: Record<Era, string> = { modern: '2026-07-28', legacy: '2025-11-25' };
/** The throwaway PostgreSQL and Redis (scripts/services.sh), whose CPU is read around each round. */
const BACKENDS = backendPids();

interface Round {
  perSecond: number;
  p50: number;
  p99: number;
  gatewayCpuMsPerCall: number;
  nginxCpuMsPerCall: number;
  /** PostgreSQL (every backend) and Redis together, per call. */
  backendCpuMsPerCall: number;
}

interface Measured {
  setup: ScaleSetup;
  era: Era;
  rounds: Round[];
  /** Why the era could not be measured through this setup, if it could not. */
  failure?: string;
}

async function openClients(url: string, era: Era): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < CONCURRENCY; i++) {
    const client = new Client(
      { name: 'gatehouse-bench', version: '1.0.0' },
      { versionNegotiation: negotiation(era) },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${BENCH_KEY}` } },
      }),
    );
    clients.push(client);
  }
  return clients;
}

function gatewayCpuMs(fleet: Replicas): number {
  return fleet.replicas.reduce((sum, replica) => sum + (processCpuMs(replica.pid) ?? Number.NaN), 0);
}

/** `calls` echo calls from one worker per client; throws on the first wrong answer. */
async function round(fleet: Replicas, clients: Client[], calls: number, tag: string): Promise<Round> {
  const latencies = new Float64Array(calls);
  let next = 0;
  const gatewayBefore = gatewayCpuMs(fleet);
  const nginxBefore = fleet.balancer === null ? 0 : (treeCpuMs(fleet.balancer.pid) ?? Number.NaN);
  const backendBefore = backendCpuMs(BACKENDS);
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (next < calls) {
        const i = next++;
        const text = `${tag} ${i}`;
        const t0 = performance.now();
        const result = await client.callTool({ name: 'echo', arguments: { text } });
        latencies[i] = performance.now() - t0;
        const answer = (result.content as { text?: string }[] | undefined)?.[0]?.text;
        if (result.isError || answer !== text) {
          throw new Error(`unexpected answer to echo: ${JSON.stringify(result).slice(0, 300)}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const nginxAfter = fleet.balancer === null ? 0 : (treeCpuMs(fleet.balancer.pid) ?? Number.NaN);
  const backendAfter = backendCpuMs(BACKENDS);
  latencies.sort();
  return {
    perSecond: calls / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    gatewayCpuMsPerCall: (gatewayCpuMs(fleet) - gatewayBefore) / calls,
    nginxCpuMsPerCall: (nginxAfter - nginxBefore) / calls,
    backendCpuMsPerCall: (backendAfter - backendBefore) / calls,
  };
}

/** One setup, every era: started, warmed up, measured, audit checked, stopped. */
async function measureSetup(
  setup: ScaleSetup,
  upstreamUrl: string,
  audit: string[],
): Promise<{ results: Measured[]; ok: boolean }> {
  const fleet = await startSetup(setup, upstreamUrl);
  const results: Measured[] = [];
  let answered = 0;
  try {
    for (const era of ERAS) {
      const measured: Measured = { setup, era, rounds: [] };
      results.push(measured);
      let clients: Client[] = [];
      try {
        clients = await openClients(fleet.url, era);
        await round(fleet, clients, WARMUP, `${era} warm-up`);
        answered += WARMUP;
        for (let r = 0; r < ROUNDS; r++) {
          const result = await round(fleet, clients, CALLS, `${era} round ${r}`);
          answered += CALLS;
          measured.rounds.push(result);
          console.log(
            `  ${setup.name} ${ERA_LABEL[era]} round ${r + 1} (load ${loadavg()[0]?.toFixed(2)}): ${Math.round(result.perSecond)}/s p50 ${result.p50.toFixed(2)} p99 ${result.p99.toFixed(2)} ms, gateway ${result.gatewayCpuMsPerCall.toFixed(3)} ms/call, nginx ${result.nginxCpuMsPerCall.toFixed(3)} ms/call`,
          );
        }
      } catch (error) {
        // Calls answered before the failure still count for the audit check below: they were
        // counted as they came (a round that failed midway is not, and is not checked).
        measured.failure = error instanceof Error ? error.message.split('\n')[0] : String(error);
        console.log(`  ${setup.name} ${ERA_LABEL[era]}: FAILED ${measured.failure}`);
      } finally {
        await Promise.allSettled(clients.map((client) => client.close()));
      }
    }
    const audited = await auditedOkCalls(fleet);
    const verify = await fleet.cli(['audit', 'verify']);
    // A failed round leaves calls answered that were not counted: then at least, not exactly.
    const anyFailed = results.some((m) => m.failure !== undefined);
    const countOk = anyFailed ? audited >= answered : audited === answered;
    const ok = countOk && verify.status === 0;
    audit.push(
      `${setup.name} audit: ${audited} ok tools/call records for ${answered} calls answered${anyFailed ? ' (at least)' : ''}; ${verify.stdout.trim() || verify.stderr.trim()} → ${ok ? 'OK' : 'MISMATCH'}`,
    );
    console.log(audit.at(-1));
    return { results, ok };
  } finally {
    await fleet.stop();
  }
}

function tables(measured: Measured[]): ResultTable[] {
  return ERAS.map((era) => ({
    title: `Scale-out, ${ERA_LABEL[era]}: echo at concurrency ${CONCURRENCY}`,
    columns: [
      'setup',
      'replicas',
      'calls/s',
      'p50 ms',
      'p99 ms',
      'gateway CPU ms/call',
      'nginx CPU ms/call',
      'PostgreSQL + Redis CPU ms/call',
    ],
    rows: measured
      .filter((m) => m.era === era)
      .map((m) =>
        m.failure !== undefined && m.rounds.length === 0
          ? [m.setup.name, String(m.setup.replicas), `failed: ${m.failure}`, '–', '–', '–', '–', '–']
          : [
              m.setup.name,
              String(m.setup.replicas),
              spread(
                m.rounds.map((r) => r.perSecond),
                0,
              ),
              spread(
                m.rounds.map((r) => r.p50),
                2,
              ),
              spread(
                m.rounds.map((r) => r.p99),
                2,
              ),
              spread(
                m.rounds.map((r) => r.gatewayCpuMsPerCall),
                3,
              ),
              m.setup.balanced
                ? spread(
                    m.rounds.map((r) => r.nginxCpuMsPerCall),
                    3,
                  )
                : '–',
              spread(
                m.rounds.map((r) => r.backendCpuMsPerCall),
                3,
              ),
            ],
      ),
    caption: `${CALLS} calls × ${ROUNDS} rounds per setup after ${WARMUP} warm-up calls; gateway CPU is the sum over the replicas (/proc, ${CLOCK_TICKS} ticks/s); ${cpus().length} CPUs: more replicas show overhead, not speed-up.`,
  }));
}

function charts(measured: Measured[]): ChartSpec[] {
  return ERAS.flatMap((era) => {
    const rows = measured.filter((m) => m.era === era && m.rounds.length > 0);
    const series = (pick: (r: Round) => number) =>
      rows.map((m) => {
        const f = figure(m.rounds.map(pick));
        return { label: m.setup.name, value: f.median, min: f.min, max: f.max };
      });
    return [
      {
        id: `calls-per-second-${era}`,
        title: `calls/s, ${ERA_LABEL[era]}`,
        unit: 'calls/s',
        series: series((r) => r.perSecond),
      },
      {
        id: `gateway-cpu-per-call-${era}`,
        title: `gateway CPU per call, ${ERA_LABEL[era]}`,
        unit: 'ms',
        series: series((r) => r.gatewayCpuMsPerCall),
      },
    ];
  });
}

/** The added gateway CPU per call of shared state: postgres direct against embedded direct. */
function sharedStateNotes(measured: Measured[]): string[] {
  return ERAS.flatMap((era) => {
    const of = (name: string) =>
      figure(
        measured
          .find((m) => m.era === era && m.setup.name === name)
          ?.rounds.map((r) => r.gatewayCpuMsPerCall) ?? [],
      ).median;
    const embedded = of('embedded direct');
    const shared = of('postgres direct');
    if (!Number.isFinite(embedded) || !Number.isFinite(shared)) return [];
    const change = (shared / embedded - 1) * 100;
    return [
      `${ERA_LABEL[era]}: gateway CPU per call with shared state (PostgreSQL + Redis) ${shared.toFixed(3)} ms against ${embedded.toFixed(3)} ms on the embedded default (${change >= 0 ? '+' : ''}${change.toFixed(0)}%; compare the spread between rounds before reading a difference into it).`,
    ];
  });
}

/** A 2025-era call on a session the replica must take up, against one on a session it holds. */
function takeoverNote(t: TakeoverCost): string {
  const d = (a: number, b: number) => (a - b).toFixed(3);
  return `2025-11-25 session taken up by a replica that did not hold it (${t.sessions} sessions opened on one replica, one tools/call each on another, then again): the first call costs that replica ${t.takenUp.gatewayCpuMs.toFixed(3)} ms of CPU against ${t.held.gatewayCpuMs.toFixed(3)} ms on a held session (+${d(t.takenUp.gatewayCpuMs, t.held.gatewayCpuMs)} ms), PostgreSQL + Redis ${t.takenUp.backendCpuMs.toFixed(3)} against ${t.held.backendCpuMs.toFixed(3)} ms, p50 ${t.takenUp.p50Ms.toFixed(2)} against ${t.held.p50Ms.toFixed(2)} ms.`;
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const port = await freePort();
  const upstream = await startChild({
    command: process.execPath,
    args: ['bench/upstream/bench-server.ts', '--port', String(port)],
    what: 'bench server',
    readyLine: /BENCH_URL (\S+)/,
  });
  const measured: Measured[] = [];
  const audit: string[] = [];
  let takeovers: TakeoverCost | undefined;
  let ok = true;
  console.log(
    `scale-out: ${CALLS} calls × ${ROUNDS} rounds at concurrency ${CONCURRENCY}, eras ${ERAS.join(',')}, replicas ${REPLICAS.join(',')}; load average ${loadavg()[0]?.toFixed(2)}`,
  );
  try {
    for (const setup of setupsFor(REPLICAS)) {
      const { results, ok: setupOk } = await measureSetup(setup, upstream.captured, audit);
      measured.push(...results);
      ok &&= setupOk;
    }
    if (ERAS.includes('legacy')) takeovers = await measureTakeovers(upstream.captured, smoke ? 20 : 300);
  } finally {
    await upstream.stop();
  }
  // What a cache miss of an API key costs the database (the calls above use a static key).
  let keyLookups: KeyLookupCost | undefined;
  try {
    keyLookups = await measureKeyLookups(smoke ? 50 : 1000, smoke ? 500 : 20_000);
  } finally {
    await dropPgSchemas();
  }
  const notes = [
    'Each gateway is `gatehouse serve` with a static API key, a policy condition, a rate-limit rule and the audit log, in front of one bench server over Streamable HTTP; nginx balances round-robin with keep-alive to the replicas.',
    'PostgreSQL and Redis CPU (the postmaster with all its backends, and redis-server, from /proc) is reported apart, not in "gateway CPU"; the embedded setup uses neither (its rate limits count in memory).',
    ...sharedStateNotes(measured),
    ...(takeovers === undefined ? [] : [takeoverNote(takeovers)]),
    `API key looked up in PostgreSQL (the 5 s cache missed): ${keyLookups.backendCpuMsPerLookup.toFixed(3)} ms of PostgreSQL CPU per lookup, ${Math.round(keyLookups.perSecond)} lookups/s through one pool of 8 (${keyLookups.lookups} lookups of 1 of ${smoke ? 50 : 1000} keys, cache off).`,
    ...audit,
    `load average at the end: ${loadavg()[0]?.toFixed(2)}`,
  ];
  const result: BenchResult = {
    bench: 'scale-out',
    title: 'Scale-out: replicas behind nginx, and the cost of shared state',
    command: commandLine(),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    tables: tables(measured),
    charts: charts(measured),
    targets: [],
    notes,
  };
  for (const table of result.tables)
    console.log(`\n${table.title}\n\n${markdownTable(table.columns, table.rows)}\n\n${table.caption}`);
  for (const note of notes) console.log(note);
  writeResult(values.json, result);
  return ok ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`scale-out: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
}
