/**
 * The audit log on a real PostgreSQL: append and verify, tampering through a separate client
 * (UPDATE, DELETE), queries. Needs GATEHOUSE_TEST_PG_URL (scripts/services.sh starts a throwaway
 * server and sets it); without it the test fails rather than skips.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { type AuditEvent, AuditLog, createRedactor, PgAuditStore, verifyChain } from '../src/audit/index.ts';
import { assertTextSearch, TEXT_SEARCH_EVENTS, textSearchEvent } from './helpers/audit-text-cases.ts';

const PG_URL = process.env.GATEHOUSE_TEST_PG_URL;

function sampleEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    time: '2026-01-01T00:00:00.000Z',
    requestId: 'req-1',
    traceId: 'trace-1',
    principal: { id: 'key:k1', user: 'alice', org: 'acme', roles: ['sales'], via: 'api-key' },
    transport: 'http',
    era: 'legacy',
    sessionId: 'session-1',
    method: 'tools/call',
    target: 'crm_search',
    upstream: 'crm',
    arguments: { query: 'renewals', limit: 10, nested: { flag: true, ratio: 0.1 } },
    decision: 'allow',
    rule: null,
    status: 'ok',
    errorCode: null,
    errorMessage: null,
    latencyMs: 3.25,
    resultBytes: 64,
    resultHash: 'cd'.repeat(32),
    approvedBy: null,
    ...overrides,
  };
}

it('has a PostgreSQL server to test against (GATEHOUSE_TEST_PG_URL)', () => {
  assert.ok(PG_URL, 'GATEHOUSE_TEST_PG_URL is not set: run `source scripts/services.sh` first');
});

describe('audit log on PostgreSQL', () => {
  let admin: pg.Client;
  const tables: string[] = [];

  before(async () => {
    assert.ok(PG_URL, 'GATEHOUSE_TEST_PG_URL is not set: run `source scripts/services.sh` first');
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
  });
  after(async () => {
    for (const table of tables) await admin?.query(`DROP TABLE IF EXISTS "${table}"`);
    await admin?.end();
  });

  /** A log on a table of its own, so parallel and repeated runs never collide. */
  async function openLog(count: number, events: (i: number) => Partial<AuditEvent> = () => ({})) {
    const table = `audit_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    tables.push(table);
    const store = new PgAuditStore({ connectionString: PG_URL, table });
    const log = await AuditLog.open({ store, redactor: createRedactor({ fields: [], patterns: [] }) });
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        log.record(sampleEvent({ requestId: `r${i + 1}`, ...events(i) })),
      ),
    );
    return { table, store, log };
  }

  it('appends with group commit, reads back exactly, and verifies', async () => {
    const { table, store, log } = await openLog(1200, (i) => ({
      arguments: { i, password: 'p', email: 'x@y.example' },
    }));
    assert.equal(await store.count(), 1200);
    const [first] = await store.page(0, 1);
    assert.deepEqual(first?.arguments, { i: 0, password: '[REDACTED:secret]', email: '[REDACTED:email]' });
    const verified = await verifyChain(store, { pageSize: 250 });
    assert.deepEqual(
      { ...verified, checkpoint: undefined },
      { ok: true, count: 1200, head: log.head, checkpoint: undefined },
    );
    assert.deepEqual(
      verified.ok && { seq: verified.checkpoint?.seq, hash: verified.checkpoint?.hash },
      log.head,
    );
    await log.close();
    // Reopening continues the chain from the stored head.
    const reopened = await AuditLog.open({
      store: new PgAuditStore({ connectionString: PG_URL, table }),
      redactor: createRedactor({ fields: [], patterns: [] }),
    });
    await reopened.record(sampleEvent());
    assert.equal(reopened.head?.seq, 1201);
    await reopened.close();
  });

  it('keeps one chain when several writers (replicas) append to it at once', async () => {
    const { table, log: first } = await openLog(0);
    const others = await Promise.all(
      Array.from({ length: 7 }, () =>
        AuditLog.open({
          store: new PgAuditStore({ connectionString: PG_URL, table }),
          redactor: createRedactor({ fields: [], patterns: [] }),
        }),
      ),
    );
    const logs = [first, ...others];
    // Each writer records in rounds, so their batches interleave on the shared head.
    for (let round = 0; round < 15; round++) {
      await Promise.all(
        logs.flatMap((log, w) =>
          Array.from({ length: 5 }, (_, i) => log.record(sampleEvent({ requestId: `w${w}-r${round}-${i}` }))),
        ),
      );
    }
    const store = new PgAuditStore({ connectionString: PG_URL, table });
    const verified = await verifyChain(store, { pageSize: 100 });
    assert.equal(verified.ok, true, JSON.stringify(verified));
    assert.equal(verified.ok && verified.count, 600);
    const ids = new Set((await store.page(0, 1000)).map((r) => r.requestId));
    assert.equal(ids.size, 600, 'every recorded event is on the chain once');
    // Each writer's idea of the head is a real record of the one chain.
    const heads = logs.map((log) => log.head?.seq ?? 0);
    assert.ok(Math.max(...heads) === 600, `the last writer's head is the chain's: ${heads}`);
    await Promise.all([...logs.map((log) => log.close()), store.close()]);
  });

  it('detects an UPDATE made through a separate client, naming the record', async () => {
    const { table, store, log } = await openLog(20);
    await admin.query(`UPDATE "${table}" SET event = jsonb_set(event, '{status}', '"denied"') WHERE seq = 7`);
    const result = await verifyChain(store, { pageSize: 5 });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.count, 6);
      assert.deepEqual([result.firstBad.seq, result.firstBad.problem], [7, 'altered']);
    }
    await log.close();
  });

  it('detects a deleted record, naming the missing seq', async () => {
    const { table, store, log } = await openLog(20);
    await admin.query(`DELETE FROM "${table}" WHERE seq = 12`);
    const result = await verifyChain(store);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.count, 11);
      assert.deepEqual([result.firstBad.seq, result.firstBad.problem], [12, 'missing']);
    }
    await log.close();
  });

  it('answers queries with filters, newest first', async () => {
    const bob = { id: 'oidc:https://idp#bob', user: 'bob', org: null, roles: [], via: 'oidc' };
    const variants: Partial<AuditEvent>[] = [
      { time: '2026-01-01T10:00:00.000Z', target: 'crm_search' },
      { time: '2026-01-02T10:00:00.000Z', target: 'crm_update', principal: bob },
      { time: '2026-01-03T10:00:00.000Z', target: 'git_push', status: 'denied', decision: 'deny' },
      { time: '2026-01-04T10:00:00.000Z', method: 'resources/read', target: 'file:///a_b' },
    ];
    const { store, log } = await openLog(variants.length, (i) => variants[i] ?? {});
    const targets = async (filter: Parameters<PgAuditStore['query']>[0]) =>
      (await store.query(filter)).map((r) => r.target);
    assert.deepEqual(await targets({}), ['file:///a_b', 'git_push', 'crm_update', 'crm_search']);
    assert.deepEqual(await targets({ limit: 2 }), ['file:///a_b', 'git_push']);
    assert.deepEqual(await targets({ since: '2026-01-02T10:00:00Z', until: '2026-01-04T00:00:00Z' }), [
      'git_push',
      'crm_update',
    ]);
    assert.deepEqual(await targets({ principal: 'oidc:https://idp#bob' }), ['crm_update']);
    assert.deepEqual(await targets({ principal: 'alice', method: 'tools/call' }), ['git_push', 'crm_search']);
    assert.deepEqual(await targets({ target: 'crm_*' }), ['crm_update', 'crm_search']);
    assert.deepEqual(await targets({ target: 'file:///a%' }), [], 'only * is a wildcard');
    assert.deepEqual(await targets({ status: 'denied', decision: 'deny' }), ['git_push']);
    await log.close();
  });

  it('finds records by their redacted arguments (free text, on the trigram index)', async () => {
    const { table, store, log } = await openLog(0);
    for (let i = 0; i < TEXT_SEARCH_EVENTS.length; i++) await log.record(textSearchEvent(i, sampleEvent()));
    await assertTextSearch(store);
    const indexes = await admin.query('SELECT indexname FROM pg_indexes WHERE tablename = $1', [table]);
    assert.ok(
      indexes.rows.some((row: { indexname: string }) => row.indexname === `${table}_arguments_trgm_idx`),
      'the trigram index exists',
    );
    await log.close();
  });

  it('refuses a table name that is not an identifier', () => {
    assert.throws(
      () => new PgAuditStore({ connectionString: PG_URL, table: 'audit; DROP TABLE x' }),
      /identifier/,
    );
  });
});
