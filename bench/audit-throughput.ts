/**
 * Sustained audit writes per second through the real AuditLog (redaction, hash chain, group
 * commit) on the embedded SQLite store and, when GATEHOUSE_TEST_PG_URL is set (scripts/services.sh
 * starts one), on PostgreSQL. Each round records EVENTS events with CONCURRENCY writers awaiting
 * their acknowledgement, then checks that the count written equals the count acknowledged and
 * that the chain verifies. Prints per-round figures and the median with the min–max spread.
 *
 *   node bench/audit-throughput.ts [--events 20000] [--concurrency 256] [--rounds 5]
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

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '256' },
    rounds: { type: 'string', default: '5' },
  },
});
const EVENTS = Number(values.events);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);

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

async function bench(name: string, open: () => AuditStore): Promise<void> {
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
}

console.log(
  `audit throughput: ${EVENTS} events x ${ROUNDS} rounds, ${CONCURRENCY} concurrent writers, Node ${process.version}`,
);
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-audit-'));
try {
  await bench('sqlite', () => new SqliteAuditStore({ path: join(dir, 'audit.db') }));
  const pg = process.env.GATEHOUSE_TEST_PG_URL;
  if (pg) {
    const table = `bench_audit_${process.pid}`;
    await bench('postgres', () => new PgAuditStore({ connectionString: pg, table }));
  } else console.log('postgres: skipped (set GATEHOUSE_TEST_PG_URL, e.g. `source scripts/services.sh`)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
