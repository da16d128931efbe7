/**
 * Transfer throughput of the wallet server on its two backends: `transfer` calls through the
 * kit's in-process test client (input validation, ownership check, the ledger transaction and
 * output shaping — everything but a transport), at each concurrency, on two account layouts:
 *
 *   spread  100 accounts, random pairs: little row contention
 *   hot     2 accounts, transfers back and forth: every transfer locks the same two rows
 *
 * Every transfer is sent once with a fresh idempotency key; a share of them (--replays, default
 * 0.2) is sent a second time with the same key, which must come back `replayed` with the same id.
 * After each run the books are checked: one stored transfer per executed key, balances summing
 * to what was funded, and the reconcile check clean — otherwise the run exits non-zero.
 *
 * SQLite always (a temp file); PostgreSQL when --pg-url or GATEHOUSE_TEST_PG_URL is set (a
 * throwaway schema, dropped afterwards).
 *
 *   node bench/wallet-transfers.ts [--transfers 2000] [--concurrency 1,16] [--replays 0.2] [--pg-url URL]
 *   node bench/wallet-transfers.ts --smoke      (a tiny run, a few seconds)
 *
 * --json FILE also writes the table and a chart as a BenchResult (bench/lib/results.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '@gatehouse/kit';
import { openSqlite } from '@gatehouse/kit/infra';
import { testClient } from '@gatehouse/kit/testing';
import pg from 'pg';
import { PgLedger } from '../packages/wallet-server/src/ledger/pg-ledger.ts';
import { SqliteLedger } from '../packages/wallet-server/src/ledger/sqlite-ledger.ts';
import type { Ledger } from '../packages/wallet-server/src/ledger/types.ts';
import { createWalletServer } from '../packages/wallet-server/src/server.ts';
import { percentile, positiveInt } from './lib/figures.ts';
import { commandLine, writeResult } from './lib/results.ts';

const { values } = parseArgs({
  options: {
    transfers: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '1,16' },
    replays: { type: 'string', default: '0.2' },
    'pg-url': { type: 'string' },
    smoke: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const startedAt = new Date().toISOString();
const started = performance.now();
const TRANSFERS = values.smoke ? 120 : positiveInt(values.transfers, 'transfers');
const CONCURRENCY = values.smoke
  ? [1, 8]
  : values.concurrency.split(',').map((c) => positiveInt(c, 'concurrency'));
const REPLAY_SHARE = Number(values.replays);
if (!(REPLAY_SHARE >= 0 && REPLAY_SHARE <= 1)) throw new Error('--replays must be between 0 and 1');
const PG_URL = values['pg-url'] ?? process.env.GATEHOUSE_TEST_PG_URL;
const OWNER = 'bench';
const OPENING_MINOR = 100_000_000n;

interface Layout {
  name: 'spread' | 'hot';
  accounts: number;
}
const LAYOUTS: Layout[] = [
  { name: 'spread', accounts: 100 },
  { name: 'hot', accounts: 2 },
];

interface Row {
  backend: string;
  layout: string;
  concurrency: number;
  calls: number;
  perSecond: number;
  p50: number;
  p99: number;
  replays: number;
}

async function fund(ledger: Ledger, prefix: string, count: number): Promise<string[]> {
  const treasury = `${prefix}_treasury`;
  await ledger.ensureAccount({ id: treasury, owner: 'treasury', currency: 'EUR', kind: 'system' });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${prefix}_${i}`;
    await ledger.ensureAccount({ id, owner: OWNER, currency: 'EUR', kind: 'user' });
    await ledger.transfer({
      fromAccountId: treasury,
      toAccountId: id,
      amountMinor: OPENING_MINOR,
      currency: 'EUR',
      memo: null,
      idempotencyKey: `opening:${id}`,
      initiatedBy: 'bench:setup',
    });
    ids.push(id);
  }
  return ids;
}

async function run(ledger: Ledger, backend: string, layout: Layout, concurrency: number): Promise<Row> {
  const prefix = `acc_${layout.name}_${concurrency}`;
  const accounts = await fund(ledger, prefix, layout.accounts);
  const server = createWalletServer(ledger, createLogger('wallet-bench', 'silent'));
  const client = await testClient(server, { caller: { id: 'bench', user: OWNER, org: null, roles: [] } });
  const calls: Record<string, unknown>[] = [];
  for (let i = 0; i < TRANSFERS; i++) {
    const from = i % accounts.length;
    const to = (from + 1 + (i % (accounts.length - 1))) % accounts.length;
    const args = {
      fromAccountId: accounts[from],
      toAccountId: accounts[to],
      amount: `${1 + (i % 9)}.00`,
      currency: 'EUR',
      idempotencyKey: `${prefix}-${i}`,
    };
    calls.push(args);
    if (i / TRANSFERS < REPLAY_SHARE) calls.push(args);
  }
  const latencies = new Float64Array(calls.length);
  const ids = new Map<string, string>();
  let replays = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls.length) {
        const index = next++;
        const args = calls[index] as Record<string, unknown>;
        const t0 = performance.now();
        const out = await client.call('transfer', args);
        latencies[index] = performance.now() - t0;
        assert.equal(out.isError, false, out.text);
        const key = String(args.idempotencyKey);
        const id = String(out.structured?.transferId);
        if (out.structured?.replayed === true) replays++;
        assert.equal(ids.get(key) ?? id, id, `${key} answered with two transfer ids`);
        ids.set(key, id);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  // The books: one stored transfer per key, money conserved, reconcile clean.
  assert.equal(replays, calls.length - TRANSFERS, 'every repeated key was a replay');
  for (const [key, id] of ids) assert.equal((await ledger.findTransfer(OWNER, key))?.id, id);
  let total = 0n;
  for (const id of accounts) total += (await ledger.getAccount(id))?.balanceMinor ?? 0n;
  assert.equal(total, OPENING_MINOR * BigInt(accounts.length), 'money is conserved');
  assert.deepEqual((await ledger.reconcile()).problems, []);
  latencies.sort();
  return {
    backend,
    layout: `${layout.name} (${layout.accounts})`,
    concurrency,
    calls: calls.length,
    perSecond: calls.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    replays,
  };
}

async function withBackend(name: string, work: (ledger: Ledger) => Promise<void>): Promise<void> {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'wallet-bench-'));
    const ledger = new SqliteLedger(openSqlite(join(dir, 'wallet.db')));
    try {
      await ledger.migrate();
      await work(ledger);
    } finally {
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const url = PG_URL as string;
  const schema = `wallet_bench_${process.pid}`;
  const ledger = PgLedger.connect(url, { schema, poolSize: Math.max(...CONCURRENCY) + 2 });
  try {
    await ledger.migrate();
    await work(ledger);
  } finally {
    await ledger.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

const rows: Row[] = [];
for (const backend of PG_URL ? ['sqlite', 'postgres'] : ['sqlite']) {
  await withBackend(backend, async (ledger) => {
    for (const layout of LAYOUTS) {
      for (const concurrency of CONCURRENCY) rows.push(await run(ledger, backend, layout, concurrency));
    }
  });
}

console.log(
  `wallet transfers: ${TRANSFERS} transfers per run, ${Math.round(REPLAY_SHARE * 100)}% sent twice`,
);
if (!PG_URL) console.log('(PostgreSQL skipped: set --pg-url or GATEHOUSE_TEST_PG_URL)');
console.log('| backend  | accounts     | concurrency | calls | calls/s | p50 ms | p99 ms | replays |');
console.log('| -------- | ------------ | ----------- | ----- | ------- | ------ | ------ | ------- |');
for (const r of rows) {
  console.log(
    `| ${r.backend.padEnd(8)} | ${r.layout.padEnd(12)} | ${String(r.concurrency).padStart(11)} | ${String(r.calls).padStart(5)} | ${r.perSecond.toFixed(0).padStart(7)} | ${r.p50.toFixed(2).padStart(6)} | ${r.p99.toFixed(2).padStart(6)} | ${String(r.replays).padStart(7)} |`,
  );
}
console.log('books: every key stored once, money conserved, reconcile clean after each run');
writeResult(values.json, {
  bench: 'wallet-transfers',
  title: 'Wallet transfers',
  command: commandLine(),
  startedAt,
  durationMs: performance.now() - started,
  tables: [
    {
      title: 'Transfers through the wallet server',
      columns: ['backend', 'accounts', 'concurrency', 'calls', 'calls/s', 'p50 ms', 'p99 ms', 'replays'],
      rows: rows.map((r) => [
        r.backend,
        r.layout,
        String(r.concurrency),
        String(r.calls),
        r.perSecond.toFixed(0),
        r.p50.toFixed(2),
        r.p99.toFixed(2),
        String(r.replays),
      ]),
      caption:
        `One run per row: ${TRANSFERS} transfers, ${Math.round(REPLAY_SHARE * 100)}% of them sent twice with the ` +
        'same idempotency key (each must come back replayed with the same id).',
    },
  ],
  charts: [
    {
      id: 'transfers-per-second',
      title: 'Wallet transfer calls per second',
      unit: 'calls/s',
      series: rows.map((r) => ({
        label: `concurrency ${r.concurrency}`,
        value: r.perSecond,
        group: `${r.backend}, ${r.layout} accounts`,
      })),
    },
  ],
  targets: [],
  notes: [
    'One run per configuration (no rounds): the figures have no spread.',
    'Books checked after every run: every key stored once, money conserved, reconcile clean.',
    ...(PG_URL ? [] : ['PostgreSQL was not measured: set --pg-url or GATEHOUSE_TEST_PG_URL.']),
  ],
});
