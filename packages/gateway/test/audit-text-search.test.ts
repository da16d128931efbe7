/**
 * Free-text search on the redacted arguments (issue 18): the SQLite store (its trigram index, and
 * a database from before the index), `gatehouse audit query --text`, and the console's audit page
 * with its Text field — one implementation, the store's query. PostgreSQL: audit-pg.test.ts.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { type AuditEvent, AuditLog, createRedactor, SqliteAuditStore } from '../src/audit/index.ts';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { assertTextSearch, TEXT_SEARCH_EVENTS, textSearchEvent } from './helpers/audit-text-cases.ts';
import { gatehouseCli } from './helpers/child-gateway.ts';
import {
  fixtureUpstreamYaml,
  startGateway,
  type TestGateway,
  tempStorage,
  waitFor,
} from './helpers/harness.ts';

const BASE: AuditEvent = {
  time: '2026-01-01T00:00:00.000Z',
  requestId: 'req',
  traceId: null,
  principal: null,
  transport: 'http',
  era: 'modern',
  sessionId: null,
  method: 'tools/call',
  target: 'crm_search',
  upstream: 'crm',
  arguments: null,
  decision: 'allow',
  rule: null,
  status: 'ok',
  errorCode: null,
  errorMessage: null,
  latencyMs: 1,
  resultBytes: null,
  resultHash: null,
  approvedBy: null,
};

/** Records TEXT_SEARCH_EVENTS, in order, through an AuditLog (redaction included). */
async function recordTextEvents(log: Pick<AuditLog, 'record'>): Promise<void> {
  for (let i = 0; i < TEXT_SEARCH_EVENTS.length; i++) await log.record(textSearchEvent(i, BASE));
}

async function sqliteLog(path: string): Promise<{ store: SqliteAuditStore; log: AuditLog }> {
  const store = new SqliteAuditStore({ path });
  const log = await AuditLog.open({ store, redactor: createRedactor({ fields: [], patterns: [] }) });
  return { store, log };
}

describe('free-text audit search on SQLite', () => {
  let dir = '';
  before(async () => {
    dir = makeTempDir('gatehouse-audit-text-');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('finds records by their redacted arguments', async () => {
    const { store, log } = await sqliteLog(join(dir, 'search.db'));
    await recordTextEvents(log);
    await assertTextSearch(store);
    await log.close();
  });

  it('indexes off the write path: in the background, and before a search whatever is left', async () => {
    const path = join(dir, 'background.db');
    const { store, log } = await sqliteLog(path);
    await recordTextEvents(log);
    const reader = new DatabaseSync(path);
    const indexedUpTo = () =>
      (reader.prepare('SELECT seq FROM audit_log_arguments_head').get()?.seq as number | undefined) ?? 0;
    assert.equal(indexedUpTo(), 0, 'an append does not wait for the index');
    await waitFor(() => indexedUpTo() === 6, 5_000);
    await log.record(textSearchEvent(0, BASE));
    assert.deepEqual(
      (await store.query({ text: 'renewal' })).map((r) => r.seq),
      [7, 1],
      'a search indexes what is left first',
    );
    reader.close();
    await log.close();
  });

  it('builds the index for a database written before it existed', async () => {
    const path = join(dir, 'older.db');
    const first = await sqliteLog(path);
    await recordTextEvents(first.log);
    await first.log.close();
    const older = new DatabaseSync(path);
    older.exec('DROP TABLE audit_log_arguments; DROP TABLE audit_log_arguments_head;');
    older.close();
    const reopened = await sqliteLog(path);
    await assertTextSearch(reopened.store);
    await reopened.log.record(textSearchEvent(0, BASE));
    assert.deepEqual(
      (await reopened.store.query({ text: 'renewal' })).map((r) => r.seq),
      [7, 1],
      'and indexes what is written after',
    );
    await reopened.log.close();
  });
});

describe('gatehouse audit query --text', () => {
  it('prints the records whose arguments contain the text, and refuses text too long', async () => {
    const storage = tempStorage();
    const { log } = await sqliteLog(storage);
    await recordTextEvents(log);
    await log.close();
    const config = `${storage}.yaml`;
    writeFileSync(
      config,
      `upstreams:\n${fixtureUpstreamYaml('alpha')}\nstorage: { path: ${JSON.stringify(storage)} }\n`,
    );
    const found = await gatehouseCli(['audit', 'query', '--text', 'D-1042', '--config', config]);
    assert.equal(found.status, 0, found.stderr);
    const lines = found.stdout.trim().split('\n');
    assert.equal(lines.length, 2, found.stdout);
    assert.match(lines[0] ?? '', /^#1 .* alice\[sales\] .*tools\/call crm_search ok allow/);
    assert.match(lines[1] ?? '', /^#2 .* bob\[sales\] /);
    const json = await gatehouseCli(['audit', 'query', '--text', 'renewal', '--json', '--config', config]);
    assert.deepEqual(JSON.parse(json.stdout.trim()).arguments, {
      deal_id: 'D-1042',
      note: 'Renewal for ACME',
    });
    const tooLong = await gatehouseCli(['audit', 'query', '--text', 'x'.repeat(201), '--config', config]);
    assert.equal(tooLong.status, 2);
    assert.equal(tooLong.stderr, 'gatehouse audit: --text is longer than 200 characters\n');
    const badTime = await gatehouseCli(['audit', 'query', '--since', 'yesterday', '--config', config]);
    assert.equal(badTime.status, 2);
    assert.match(badTime.stderr, /^gatehouse audit: --since is not an ISO-8601 time: yesterday/);
  });
});

describe('the console audit page: Text in the arguments', () => {
  let gw: TestGateway;
  let cookie = '';
  const base = () => new URL('/console', gw.url).toString();

  before(async () => {
    const storage = tempStorage();
    const keys = new SqliteApiKeys(storage);
    const admin = keys.create({ user: 'bob', roles: ['admin'] }).key;
    keys.close();
    gw = await startGateway(
      `upstreams:\n${fixtureUpstreamYaml('alpha')}\nauth: { apiKeys: true }\napprovals: { approvers: [admin] }\npolicy:\n  groups:\n    all: { allow: [{ tools: ["*"] }] }\n  roles:\n    admin: { groups: [all] }\nstorage: { path: ${JSON.stringify(storage)} }\n`,
    );
    const audit = gw.gateway.access.audit;
    assert.ok(audit);
    await recordTextEvents(audit);
    const login = await fetch(`${base()}/login`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ key: admin }),
    });
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  });
  after(() => gw?.close());

  /** The seqs the page lists, in its order. */
  async function pageSeqs(query: string): Promise<{ seqs: number[]; page: string }> {
    const response = await fetch(`${base()}/audit?${query}`, { headers: { cookie } });
    assert.equal(response.status, 200);
    const page = await response.text();
    return {
      seqs: [...page.matchAll(/<td><a href="\/console\/audit\/(\d+)">/g)].map((m) => Number(m[1])),
      page,
    };
  }

  it('lists the records the store finds for the text, and keeps the text in the form', async () => {
    const audit = gw.gateway.access.audit;
    assert.ok(audit);
    const expected = (await audit.query({ text: 'd-1042' })).map((r) => r.seq);
    assert.equal(expected.length, 2);
    const { seqs, page } = await pageSeqs('text=d-1042');
    assert.deepEqual(seqs, expected);
    assert.match(page, /<input id="text" name="text" value="d-1042"/);
    assert.match(page, /2 record\(s\), newest first/);
    const withWho = await pageSeqs('text=d-1042&who=alice');
    assert.deepEqual(withWho.seqs, [expected[1]]);
    const literal = await pageSeqs(`text=${encodeURIComponent('50% off_season')}`);
    assert.equal(literal.seqs.length, 1);
    assert.deepEqual((await pageSeqs('text=hunter2')).seqs, [], 'secrets are searched only as redacted');
  });

  it('exports what the text finds, and treats text too long as the first 200 characters', async () => {
    const exported = await fetch(`${base()}/audit/export?text=renewal`, { headers: { cookie } });
    const lines = (await exported.text()).trim().split('\n');
    assert.equal(lines.length, 1);
    assert.equal(JSON.parse(lines[0] ?? '{}').arguments.note, 'Renewal for ACME');
    const long = await pageSeqs(`text=${'d-1042'}${'z'.repeat(300)}`);
    assert.deepEqual(long.seqs, [], 'searched, found nothing, still serving');
    assert.match(long.page, /0 record\(s\)/);
  });
});
