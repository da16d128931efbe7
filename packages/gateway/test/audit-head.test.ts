/**
 * Deleting the newest audit records, through the front door: `gatehouse audit verify` and
 * `gatehouse audit head` on the embedded SQLite store and on a real PostgreSQL. The chain left
 * after the newest rows are deleted is still a valid chain; the head checkpoint (kept in a table
 * of its own, moved with every append) and a head pinned with `--expect-head` catch it. The
 * PostgreSQL part needs GATEHOUSE_TEST_PG_URL (scripts/services.sh); without it the test fails
 * rather than skips.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import {
  type AuditEvent,
  AuditLog,
  createRedactor,
  PgAuditStore,
  SqliteAuditStore,
} from '../src/audit/index.ts';
import type { AuditStore } from '../src/audit/store.ts';
import { gatehouseCli } from './helpers/child-gateway.ts';

const PG_URL = process.env.GATEHOUSE_TEST_PG_URL;

function event(i: number): AuditEvent {
  return {
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    requestId: `req-${i}`,
    traceId: null,
    principal: { id: 'key:k1', user: 'alice', org: 'acme', roles: ['sales'], via: 'api-key' },
    transport: 'http',
    era: 'legacy',
    sessionId: null,
    method: 'tools/call',
    target: 'crm_search',
    upstream: 'crm',
    arguments: { i },
    decision: 'allow',
    rule: null,
    status: 'ok',
    errorCode: null,
    errorMessage: null,
    latencyMs: 1,
    resultBytes: 2,
    resultHash: null,
    approvedBy: null,
  };
}

/** Writes `count` records the way the gateway does, in batches, and returns the head. */
async function writeRecords(store: AuditStore, count: number): Promise<{ seq: number; hash: string }> {
  const log = await AuditLog.open({ store, redactor: createRedactor({ fields: [], patterns: [] }) });
  for (let i = 1; i <= count; i += 4) {
    await Promise.all(Array.from({ length: Math.min(4, count - i + 1) }, (_, j) => log.record(event(i + j))));
  }
  const head = log.head;
  await log.close();
  assert.ok(head);
  return head;
}

/** A backend under test: its config, a store on it, and raw SQL on the same data. */
interface Backend {
  config: string;
  store(): AuditStore;
  sql(text: string): Promise<void>;
  recordsTable: string;
  headTable: string;
}

function configFile(yaml: string): string {
  const dir = makeTempDir('gatehouse-audit-head-');
  const file = join(dir, 'gatehouse.yaml');
  writeFileSync(file, yaml);
  return file;
}

function sqliteBackend(): Backend {
  const dir = makeTempDir('gatehouse-audit-head-');
  const path = join(dir, 'gatehouse.db');
  return {
    config: configFile(`storage: { path: ${JSON.stringify(path)} }\n`),
    store: () => new SqliteAuditStore({ path }),
    sql: async (text) => {
      const db = new DatabaseSync(path);
      try {
        db.exec(text);
      } finally {
        db.close();
      }
    },
    recordsTable: 'audit_log',
    headTable: 'audit_log_head',
  };
}

const pgTables: string[] = [];

function pgBackend(): Backend {
  assert.ok(PG_URL, 'GATEHOUSE_TEST_PG_URL is not set: run `source scripts/services.sh` first');
  const table = `audit_head_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  pgTables.push(table, `${table}_head`);
  const storage = join(makeTempDir('gatehouse-audit-head-'), 'gatehouse.db');
  return {
    config: configFile(
      `storage: { path: ${JSON.stringify(storage)} }\naudit:\n  postgres: { url: ${JSON.stringify(PG_URL)}, table: ${table} }\n`,
    ),
    store: () => new PgAuditStore({ connectionString: PG_URL, table }),
    sql: async (text) => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(text);
      } finally {
        await client.end();
      }
    },
    recordsTable: `"${table}"`,
    headTable: `"${table}_head"`,
  };
}

after(async () => {
  if (!PG_URL || pgTables.length === 0) return;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  for (const table of pgTables) await client.query(`DROP TABLE IF EXISTS "${table}"`);
  await client.end();
});

const cli = (backend: Backend, ...args: string[]) =>
  gatehouseCli(['audit', ...args, '--config', backend.config]);

for (const [name, makeBackend] of [
  ['SQLite', sqliteBackend],
  ['PostgreSQL', pgBackend],
] as const) {
  describe(`audit head checkpoint on ${name}`, () => {
    it('reports deleting the newest records as truncation, with a non-zero exit', async () => {
      const backend = makeBackend();
      const head = await writeRecords(backend.store(), 10);
      const printed = await cli(backend, 'head');
      assert.equal(printed.status, 0, printed.stderr);
      assert.equal(printed.stdout, `10:${head.hash}\n`);
      const intact = await cli(backend, 'verify');
      assert.equal(intact.status, 0, intact.stdout + intact.stderr);
      assert.match(
        intact.stdout,
        /^audit chain intact: 10 record\(s\), head #10 [0-9a-f]{64}; head checkpoint #10 \(written .+\) reached\n$/,
      );

      await backend.sql(`DELETE FROM ${backend.recordsTable} WHERE seq > 7`);
      const truncated = await cli(backend, 'verify');
      assert.equal(truncated.status, 1, truncated.stdout + truncated.stderr);
      assert.match(
        truncated.stdout,
        new RegExp(
          `^audit chain BROKEN at record #8 \\(truncated\\): 3 records after #7 missing; head checkpoint #10 ${head.hash} \\(written [^)]+\\)\\n7 record\\(s\\) before it verified\\n$`,
        ),
      );
    });

    it('catches a checkpoint rewritten or deleted along with the records', async () => {
      const backend = makeBackend();
      const head = await writeRecords(backend.store(), 10);
      // Whoever deletes the rows may also move the checkpoint back to what is left.
      const store = backend.store();
      await store.init();
      const seven = (await store.page(6, 1))[0];
      await store.close();
      assert.ok(seven);
      await backend.sql(`DELETE FROM ${backend.recordsTable} WHERE seq > 7`);
      await backend.sql(`UPDATE ${backend.headTable} SET seq = 7, hash = '${seven.hash}'`);
      assert.equal((await cli(backend, 'verify')).status, 0, 'the table and the checkpoint agree');
      // …which a head recorded elsewhere catches, given as `audit head` printed it or as the hash.
      const pinned = await cli(backend, 'verify', '--expect-head', `10:${head.hash}`);
      assert.equal(pinned.status, 1, pinned.stdout + pinned.stderr);
      assert.match(
        pinned.stdout,
        new RegExp(`\\(truncated\\): 3 records after #7 missing; expected head #10 ${head.hash}\\n`),
      );
      const byHash = await cli(backend, 'verify', '--expect-head', head.hash);
      assert.equal(byHash.status, 1, byHash.stdout + byHash.stderr);
      assert.match(
        byHash.stdout,
        /\(truncated\): the expected head [0-9a-f]{64} is not on the chain, which ends at #7 /,
      );
      assert.equal((await cli(backend, 'verify', '--expect-head', `7:${seven.hash}`)).status, 0);
      // A pinned head whose seq is still there with another hash: the chain was rebuilt.
      const rebuilt = await cli(backend, 'verify', '--expect-head', `5:${'ab'.repeat(32)}`);
      assert.equal(rebuilt.status, 1, rebuilt.stdout + rebuilt.stderr);
      assert.match(
        rebuilt.stdout,
        /^audit chain BROKEN at record #5 \(altered\): record 5 has hash [0-9a-f]{64}, not that of the expected head #5 (ab){32}: the chain was rewritten/,
      );

      await backend.sql(`DELETE FROM ${backend.headTable}`);
      const gone = await cli(backend, 'verify');
      assert.equal(gone.status, 1, gone.stdout + gone.stderr);
      assert.match(gone.stdout, /\(truncated\): the head checkpoint is gone \(its row was deleted\)/);
    });
  });
}

describe('audit head and verify --expect-head on the command line', () => {
  it('refuses a malformed --expect-head with a usage error (exit 2)', async () => {
    const backend = sqliteBackend();
    await writeRecords(backend.store(), 2);
    const bad = await cli(backend, 'verify', '--expect-head', 'abc');
    assert.equal(bad.status, 2, bad.stdout + bad.stderr);
    assert.match(
      bad.stderr,
      /--expect-head takes the head `gatehouse audit head` printed: <seq>:<64 hex digits>/,
    );
  });

  it('prints the head and checkpoint as JSON; an empty log has no head to record', async () => {
    const backend = sqliteBackend();
    const empty = await cli(backend, 'head');
    assert.equal(empty.status, 1);
    assert.match(empty.stderr, /the audit log is empty: no head to record yet/);
    const head = await writeRecords(backend.store(), 3);
    const json = await cli(backend, 'head', '--json');
    assert.equal(json.status, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as {
      head: unknown;
      checkpoint: { seq: number; hash: string; time: string };
    };
    assert.deepEqual(parsed.head, head);
    assert.deepEqual({ seq: parsed.checkpoint.seq, hash: parsed.checkpoint.hash }, head);
  });

  it('takes the checkpoint of a database written before checkpoints existed from its head, once', async () => {
    const backend = sqliteBackend();
    await writeRecords(backend.store(), 5);
    await backend.sql('DROP TABLE audit_log_head');
    const upgraded = await cli(backend, 'verify');
    assert.equal(upgraded.status, 0, upgraded.stdout + upgraded.stderr);
    assert.match(upgraded.stdout, /head checkpoint #5 /);
    await backend.sql('DELETE FROM audit_log WHERE seq = 5');
    assert.equal(
      (await cli(backend, 'verify')).status,
      1,
      'the checkpoint is not re-taken from what is left',
    );
  });
});
