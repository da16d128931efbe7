/**
 * The console's audit page at scale (issue 18): an audit store of 1,000,000 records (--records),
 * a gateway on it (`gatehouse serve`, a child process: API keys, the console, audit on SQLite),
 * signed in to the console as an approver, and GET /console/audit timed — to the first byte of
 * the body and to its end — with no filter (the newest 100) and with the typical filters: who, a
 * tool, a tool glob, a status, a one-day time range, the last 7 days, text in the arguments (a common word and one
 * deal id), and who with a status. Each round times every filter once, interleaved, after one
 * warm-up round; median and p90 over --rounds rounds. Target: first results ≤ 300 ms (the median
 * full response of every filter).
 *
 * The records (bench/lib/console-audit-records.ts) are seeded, realistic gateway events (300
 * users with a skewed share of the traffic, ten tools on five upstreams, 14% denied or failed,
 * arguments with ids, free text and redacted values) spread over 30 days, written through the
 * store's own write path: chainRecords (a correct hash chain, verified after the run's fill on
 * smoke runs) and SqliteAuditStore.append, 10,000 records per transaction; then the store's
 * free-text index is brought up to date (the store fills it after appends, in the background),
 * timed on its own.
 *
 * With --store postgres the records go to a PostgreSQL table of the run's own (GATEHOUSE_TEST_PG_URL;
 * `source scripts/services.sh` starts one), dropped at the end; the gateway's audit is on it.
 *
 *   node bench/console-audit.ts [--records 1000000] [--rounds 20] [--store sqlite|postgres] [--json FILE]
 *   node bench/console-audit.ts --smoke      (20,000 records, 3 rounds: a few seconds)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { PgAuditStore } from '../packages/gateway/src/audit/pg-store.ts';
import { SqliteAuditStore } from '../packages/gateway/src/audit/sqlite-store.ts';
import type { AuditStore } from '../packages/gateway/src/audit/store.ts';
import { verifyChain } from '../packages/gateway/src/audit/verify.ts';
import { SqliteApiKeys } from '../packages/gateway/src/auth/api-keys-sqlite.ts';
import {
  type AuditFilterCase,
  type FilterTimes,
  measureFilters,
  quantile,
  signIn,
} from './lib/console-audit-measure.ts';
import { fillStore, indexAll, USERS } from './lib/console-audit-records.ts';
import { median, positiveInt } from './lib/figures.ts';
import { type BenchResult, commandLine, writeResult } from './lib/results.ts';
import {
  type Child,
  loadLine,
  MANY_TOOLS_SERVER,
  printResult,
  startGatewayChild,
} from './lib/scale-harness.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '20' },
    store: { type: 'string', default: 'sqlite' },
    smoke: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const RECORDS = values.smoke ? 20_000 : positiveInt(values.records, 'records');
const ROUNDS = values.smoke ? 3 : positiveInt(values.rounds, 'rounds');
/** The target: the audit page's first results within this many ms. */
const TARGET_MS = 300;
const STORE = values.store;
if (STORE !== 'sqlite' && STORE !== 'postgres')
  throw new Error(`--store: sqlite or postgres, found ${STORE}`);
const PG_URL = process.env.GATEHOUSE_TEST_PG_URL;
if (STORE === 'postgres' && !PG_URL)
  throw new Error('--store postgres needs GATEHOUSE_TEST_PG_URL (source scripts/services.sh)');
/** The PostgreSQL table of this run (dropped at the end). */
const PG_TABLE = `bench_console_audit_${process.pid}`;
const END = Date.parse('2026-12-07T12:00:00.000Z');
const DAYS = 30;

function auditYaml(): string {
  return STORE === 'postgres'
    ? `audit: { enabled: true, postgres: { url: ${JSON.stringify(PG_URL)}, table: ${PG_TABLE} } }`
    : 'audit: { enabled: true }';
}

function gatewayYaml(storage: string): string {
  return `server: { host: 127.0.0.1, port: 0 }
logging: { level: warn }
storage: { path: ${JSON.stringify(storage)} }
upstreams:
  - name: bench
    transport: stdio
    command: ${JSON.stringify(process.execPath)}
    args: ${JSON.stringify([MANY_TOOLS_SERVER, '--tools', '5', '--prefix', 'bench'])}
    prefix: ""
auth: { apiKeys: true }
approvals: { approvers: [auditor] }
policy:
  groups:
    all: { allow: [{ tools: ["*"] }] }
  roles:
    auditor: { groups: [all] }
${auditYaml()}
`;
}

/** The filters timed: what an operator types on the page. */
async function filterCases(store: AuditStore): Promise<AuditFilterCase[]> {
  const day = new Date(END - 15 * 86_400_000).toISOString().slice(0, 10);
  // One deal id from a record in the middle of the log: a search that matches one or two records.
  const [mid] = await store.query({ target: 'crm_get_deal', until: `${day}T00:00:00.000Z`, limit: 1 });
  const dealId = (mid?.arguments as { deal_id?: string } | undefined)?.deal_id ?? 'D-100000';
  const who = USERS[3]?.user ?? 'dana.ng';
  return [
    { name: 'no filter (newest 100)', query: '' },
    { name: 'who', query: `who=${who}` },
    { name: 'tool', query: 'target=billing_refund' },
    { name: 'tool glob', query: 'target=billing_*' },
    { name: 'status', query: 'status=denied' },
    { name: 'time range (one day)', query: `since=${day}T00:00&until=${day}T23:59:59` },
    { name: 'time range (the last 7 days)', query: `since=${new Date(END - 7 * 86_400_000).toISOString()}` },
    { name: 'text: a common word', query: 'text=renewal' },
    { name: 'text: one deal id', query: `text=${dealId}` },
    { name: 'who and status', query: `who=${who}&status=denied` },
  ].map((c) => ({ ...c, query: new URLSearchParams(c.query).toString() }));
}

async function vacuumAnalyze(): Promise<number> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`VACUUM ANALYZE "${PG_TABLE}"`);
  } finally {
    await client.end();
  }
  return performance.now() - started;
}

async function dropPgTables(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS "${PG_TABLE}", "${PG_TABLE}_head"`);
  } finally {
    await client.end();
  }
}

function ms(x: number): string {
  return x.toFixed(1);
}

function result(
  cases: AuditFilterCase[],
  times: Map<string, FilterTimes>,
  fill: { ms: number; indexMs: number; bytes: number },
  startedAt: string,
  started: number,
): BenchResult {
  const rows = cases.map((c) => {
    const t = times.get(c.name) ?? { firstByteMs: [], fullMs: [], rows: 0 };
    return { c, t, full: median(t.fullMs), p90: quantile(t.fullMs, 0.9) };
  });
  const worst = rows.reduce((a, b) => (b.full > a.full ? b : a));
  return {
    bench: 'console-audit',
    title: `The console's audit page at ${RECORDS.toLocaleString('en')} records`,
    command: commandLine(),
    startedAt,
    durationMs: performance.now() - started,
    tables: [
      {
        title: `GET /console/audit over ${RECORDS.toLocaleString('en')} records (${STORE === 'postgres' ? 'PostgreSQL' : 'SQLite'})`,
        columns: [
          'filter',
          'query',
          'records listed',
          'first byte p50 / p90 (ms)',
          'full response p50 / p90 (ms)',
        ],
        rows: rows.map(({ c, t, full, p90 }) => [
          c.name,
          c.query === '' ? '–' : `\`${decodeURIComponent(c.query)}\``,
          String(t.rows),
          `${ms(median(t.firstByteMs))} / ${ms(quantile(t.firstByteMs, 0.9))}`,
          `${ms(full)} / ${ms(p90)}`,
        ]),
        caption: `Signed in as an approver; each of ${ROUNDS} rounds times every filter once, in turn, after one warm-up round.`,
      },
    ],
    charts: [
      {
        id: 'full-response',
        title: 'Audit page, full response (median)',
        unit: 'ms',
        series: rows.map(({ c, t, full }) => ({
          label: c.name,
          value: full,
          min: Math.min(...t.fullMs),
          max: Math.max(...t.fullMs),
        })),
        reference: { label: 'target', value: TARGET_MS },
      },
    ],
    targets: [
      {
        name: `Audit page first results at ${RECORDS.toLocaleString('en')} records, every filter`,
        target: `≤ ${TARGET_MS} ms`,
        measured: `slowest: ${worst.c.name}, median ${ms(worst.full)} ms (p90 ${ms(worst.p90)} ms)`,
        pass: rows.every((r) => r.full <= TARGET_MS),
      },
    ],
    notes: [
      `${RECORDS.toLocaleString('en')} records over ${DAYS} days written through chainRecords + the store's append (10,000 per transaction) in ${(fill.ms / 1000).toFixed(1)} s (${Math.round(RECORDS / (fill.ms / 1000)).toLocaleString('en')} records/s).`,
      STORE === 'sqlite'
        ? `The free-text (trigram) index, which the SQLite store fills after the appends, brought up to date in ${(fill.indexMs / 1000).toFixed(1)} s; database ${(fill.bytes / 1024 / 1024).toFixed(0)} MB. The store picks the newest 100 matching seqs from its indexes (or the trigram index for text) and reads only those rows.`
        : `PostgreSQL: table ${PG_TABLE} (pg_trgm GIN index on the arguments), VACUUM ANALYZE after the fill (what autovacuum does for an insert-only table) in ${(fill.indexMs / 1000).toFixed(1)} s.`,
      `Node ${process.version}; ${loadLine()} at the end.`,
    ],
  };
}

console.log(
  `console audit page: ${RECORDS} records, ${ROUNDS} rounds; Node ${process.version}; ${loadLine()}`,
);
const startedAt = new Date().toISOString();
const started = performance.now();
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-console-audit-'));
let gateway: Child | undefined;
try {
  const storage = join(dir, 'gatehouse.db');
  const keys = new SqliteApiKeys(storage);
  const { key } = keys.create({ user: 'auditor', roles: ['auditor'] });
  keys.close();
  const store: AuditStore =
    STORE === 'postgres'
      ? new PgAuditStore({ connectionString: PG_URL, table: PG_TABLE })
      : new SqliteAuditStore({ path: storage });
  await store.init();
  const fillMs = await fillStore(store, { count: RECORDS, end: END, days: DAYS });
  const indexMs = STORE === 'postgres' ? await vacuumAnalyze() : await indexAll(store);
  console.log(
    `filled ${RECORDS} records in ${(fillMs / 1000).toFixed(1)} s, ${STORE === 'postgres' ? 'VACUUM ANALYZE' : 'free-text index'} in ${(indexMs / 1000).toFixed(1)} s; ${loadLine()}`,
  );
  if (values.smoke) {
    const verified = await verifyChain(store);
    if (!verified.ok || verified.count !== RECORDS) throw new Error('the generated chain does not verify');
    console.log(`chain verified: ${verified.count} records`);
  }
  const cases = await filterCases(store);
  await store.close();
  const bytes =
    STORE === 'sqlite'
      ? statSync(storage).size + (statSync(`${storage}-wal`, { throwIfNoEntry: false })?.size ?? 0)
      : Number.NaN;
  gateway = await startGatewayChild(
    join(dir, 'gatehouse.yaml'),
    gatewayYaml(storage),
    'gateway (console audit)',
  );
  const consoleUrl = new URL('/console', gateway.url).href;
  const cookie = await signIn(consoleUrl, key);
  const times = await measureFilters(consoleUrl, cookie, cases, ROUNDS, (round) => {
    if (round === ROUNDS || round % 5 === 0) console.log(`  round ${round}/${ROUNDS}; ${loadLine()}`);
  });
  for (const c of cases) {
    if ((times.get(c.name)?.rows ?? 0) === 0) throw new Error(`filter "${c.name}" listed no records`);
  }
  const out = result(cases, times, { ms: fillMs, indexMs, bytes }, startedAt, started);
  printResult(out);
  writeResult(values.json, out);
} finally {
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (STORE === 'postgres') await dropPgTables();
}
