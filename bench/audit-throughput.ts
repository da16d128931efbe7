/**
 * Sustained audit writes per second through the real AuditLog (redaction, hash chain, group
 * commit) on the embedded SQLite store and, when GATEHOUSE_TEST_PG_URL is set (scripts/services.sh
 * starts one), on PostgreSQL. Each round records EVENTS events with CONCURRENCY writers awaiting
 * their acknowledgement, then checks that the count written equals the count acknowledged and
 * that the chain verifies. Prints per-round figures and the median with the min–max spread; with
 * --json FILE also writes them as a BenchResult (bench/lib/results.ts), with the target:
 * ≥ 20,000 events/s sustained on SQLite, nothing lost.
 *
 *   node bench/audit-throughput.ts [--events 20000] [--concurrency 256] [--rounds 5] [--json FILE]
 *   node bench/audit-throughput.ts --smoke      (1,000 events x 2 rounds, 16 writers: a few seconds)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AuditLog } from '../packages/gateway/src/audit/audit-log.ts';
import type { AuditEvent } from '../packages/gateway/src/audit/event.ts';
import { PgAuditStore } from '../packages/gateway/src/audit/pg-store.ts';
import { createRedactor } from '../packages/gateway/src/audit/redact.ts';
import { SqliteAuditStore } from '../packages/gateway/src/audit/sqlite-store.ts';
import type { AuditStore } from '../packages/gateway/src/audit/store.ts';
import { verifyChain } from '../packages/gateway/src/audit/verify.ts';
import { spread } from './lib/figures.ts';
import { type BenchResult, type ChartSpec, commandLine, figure, writeResult } from './lib/results.ts';
import { bar } from './lib/series.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '256' },
    rounds: { type: 'string', default: '5' },
    smoke: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const EVENTS = values.smoke ? 1000 : Number(values.events);
const CONCURRENCY = values.smoke ? 16 : Number(values.concurrency);
const ROUNDS = values.smoke ? 2 : Number(values.rounds);
/** The target for SQLite: sustained events per second (the median over rounds). */
const SQLITE_TARGET = 20_000;

function event(i: number): AuditEvent {
  return {
    time: new Date().toISOString(),
    requestId: `r-${i}`,
    traceId: null,
    principal: { id: 'key:abc', user: 'alice', org: 'acme', roles: ['sales'], via: 'api-key' },
    transport: 'http',
    era: 'modern',
    sessionId: null,
    method: 'tools/call',
    target: 'crm_get_deal',
    upstream: 'crm',
    arguments: { deal_id: `D-${i}`, include: ['owner', 'stage'], note: 'call back alice@example.com' },
    decision: 'allow',
    rule: 'role:sales → group:crm-read/allow[0]',
    status: 'ok',
    errorCode: null,
    errorMessage: null,
    latencyMs: 1.25,
    resultBytes: 5120,
    resultHash: 'a'.repeat(64),
    approvedBy: null,
  };
}

async function round(store: AuditStore): Promise<{ perSecond: number; written: number }> {
  const log = await AuditLog.open({ store, redactor: createRedactor({ fields: [], patterns: [] }) });
  const before = await store.count();
  let next = 0;
  let acknowledged = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < EVENTS) {
        await log.record(event(next++));
        acknowledged++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const written = (await store.count()) - before;
  if (written !== acknowledged) throw new Error(`acknowledged ${acknowledged} but ${written} written`);
  return { perSecond: acknowledged / seconds, written };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

interface StoreResult {
  name: string;
  rates: number[];
  records: number;
}

async function bench(name: string, open: () => AuditStore): Promise<StoreResult> {
  const store = open();
  await store.init();
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const { perSecond } = await round(store);
    rates.push(perSecond);
    console.log(`  ${name} round ${r + 1}: ${Math.round(perSecond)} events/s`);
  }
  const verified = await verifyChain(store);
  if (!verified.ok) throw new Error(`${name}: chain broken at #${verified.firstBad.seq}`);
  console.log(
    `${name}: median ${Math.round(median(rates))} events/s (min ${Math.round(Math.min(...rates))}, max ${Math.round(Math.max(...rates))}); ${verified.count} records, chain verified, written = acknowledged`,
  );
  await store.close();
  return { name, rates, records: verified.count };
}

function result(stores: StoreResult[], startedAt: string, started: number, pgSkipped: boolean): BenchResult {
  const sqlite = stores.find((s) => s.name === 'sqlite');
  const sqliteRate = figure(sqlite?.rates ?? []);
  const chart: ChartSpec = {
    id: 'events-per-second',
    title: 'Sustained audit writes',
    unit: 'events/s',
    series: stores.map((s) => bar(s.name, s.rates)),
    reference: { label: 'target on SQLite', value: SQLITE_TARGET },
  };
  return {
    bench: 'audit-throughput',
    title: 'Audit throughput',
    command: commandLine(),
    startedAt,
    durationMs: performance.now() - started,
    tables: [
      {
        title: 'Sustained audit writes',
        columns: ['store', 'events/s', 'rounds', 'events per round', 'writers', 'records', 'checks'],
        rows: stores.map((s) => [
          s.name,
          spread(s.rates, 0),
          String(s.rates.length),
          String(EVENTS),
          String(CONCURRENCY),
          String(s.records),
          'written = acknowledged every round; chain verified',
        ]),
        caption:
          'Each round records the events through the real AuditLog (redaction, hash chain, group commit) ' +
          'with the writers awaiting their acknowledgement; median over rounds (min–max).',
      },
    ],
    charts: [chart],
    targets: sqlite
      ? [
          {
            name: 'Audit events/s sustained on SQLite, nothing lost',
            target: '≥ 20,000 events/s, written = acknowledged',
            measured: `${spread(sqlite.rates, 0)} events/s; written = acknowledged`,
            pass: sqliteRate.median >= SQLITE_TARGET,
          },
        ]
      : [],
    notes: [
      `${EVENTS} events × ${ROUNDS} rounds per store, ${CONCURRENCY} concurrent writers; Node ${process.version}.`,
      'A round whose written count differs from the acknowledged count, or a broken chain, fails the run.',
      ...(pgSkipped ? ['PostgreSQL was not measured: GATEHOUSE_TEST_PG_URL was not set.'] : []),
    ],
  };
}

console.log(
  `audit throughput: ${EVENTS} events x ${ROUNDS} rounds, ${CONCURRENCY} concurrent writers, Node ${process.version}`,
);
const startedAt = new Date().toISOString();
const started = performance.now();
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-audit-'));
try {
  const stores = [await bench('sqlite', () => new SqliteAuditStore({ path: join(dir, 'audit.db') }))];
  const pg = process.env.GATEHOUSE_TEST_PG_URL;
  if (pg) {
    const table = `bench_audit_${process.pid}`;
    stores.push(await bench('postgres', () => new PgAuditStore({ connectionString: pg, table })));
  } else console.log('postgres: skipped (set GATEHOUSE_TEST_PG_URL, e.g. `source scripts/services.sh`)');
  writeResult(values.json, result(stores, startedAt, started, !pg));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
