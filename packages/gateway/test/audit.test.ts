/** The audit log: redaction, the hash chain, and the log on SQLite — group commit, tampering, failures. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import { storable } from '../src/audit/audit-log.ts';
import {
  type AuditEvent,
  AuditLog,
  type AuditRecord,
  type AuditStore,
  canonicalJson,
  chainRecords,
  createRedactor,
  exportJsonl,
  GENESIS_HASH,
  hashEvent,
  pagesOf,
  parseJsonl,
  SqliteAuditStore,
  type VerifyResult,
  verifyChain,
} from '../src/audit/index.ts';
import { storableText } from '../src/audit/redact.ts';

const redact = createRedactor({ fields: [], patterns: [] });

function sampleEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    time: '2026-01-01T00:00:00.000Z',
    requestId: 'req-1',
    traceId: null,
    principal: { id: 'key:k1', user: 'alice', org: 'acme', roles: ['sales'], via: 'api-key' },
    transport: 'http',
    era: 'modern',
    sessionId: null,
    method: 'tools/call',
    target: 'crm_search',
    upstream: 'crm',
    arguments: { query: 'renewals' },
    decision: 'allow',
    rule: 'role:sales/group:crm-read/allow[0]',
    status: 'ok',
    errorCode: null,
    errorMessage: null,
    latencyMs: 12.5,
    resultBytes: 120,
    resultHash: 'ab'.repeat(32),
    approvedBy: null,
    ...overrides,
  };
}

describe('audit redaction', () => {
  it('replaces the values of keys that look secret, whatever their spelling', () => {
    const out = redact({
      password: 'hunter2',
      API_KEY: 'k',
      'x-api-key': 'k',
      apiKey: 'k',
      Authorization: 'Basic x',
      accessToken: 't',
      client_secret: { nested: 'x' },
      private_key: 'p',
      Cookie: 'c',
      sessionId: 's',
      credentials: ['a'],
      max_tokens: 100,
      keyboard: 'qwerty',
    });
    assert.deepEqual(out, {
      password: '[REDACTED:secret]',
      API_KEY: '[REDACTED:secret]',
      'x-api-key': '[REDACTED:secret]',
      apiKey: '[REDACTED:secret]',
      Authorization: '[REDACTED:secret]',
      accessToken: '[REDACTED:secret]',
      client_secret: '[REDACTED:secret]',
      private_key: '[REDACTED:secret]',
      Cookie: '[REDACTED:secret]',
      sessionId: '[REDACTED:secret]',
      credentials: '[REDACTED:secret]',
      max_tokens: 100,
      keyboard: 'qwerty',
    });
  });

  it('replaces secrets found inside any string, keeping the rest of the text', () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const cases: [string, string][] = [
      [`token ${jwt} end`, 'token [REDACTED:secret] end'],
      ['header Bearer abcdef1234567890xyz', 'header [REDACTED:secret]'],
      ['key sk-proj-abc123DEF456ghi789JKL', 'key [REDACTED:secret]'],
      ['key sk_live_51HxYzAbCdEf0123456789', 'key [REDACTED:secret]'],
      ['id AKIAIOSFODNN7EXAMPLE.', 'id [REDACTED:secret].'],
      ['-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\nok', '[REDACTED:secret]\nok'],
      ['h 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 x', 'h [REDACTED:secret] x'],
      ['b Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRg== x', 'b [REDACTED:secret] x'],
      ['postgres://app:hunter2@db.internal/x', 'postgres://app:[REDACTED:secret]@db.internal/x'],
    ];
    for (const [input, expected] of cases) assert.equal(redact(input), expected, input);
    // Words, identifiers, UUIDs and paths are not mistaken for secrets.
    for (const text of [
      'this_is_a_very_long_identifier_name_for_the_tests',
      'ThisIsAVeryLongCamelCaseIdentifierName',
      '550e8400-e29b-41d4-a716-446655440000',
      '/usr/local/lib/node_modules/something/else',
    ]) {
      assert.equal(redact(text), text);
    }
  });

  it('replaces emails, Luhn-valid card numbers and SSNs in place', () => {
    assert.equal(redact('mail bob.smith+x@example.co.uk now'), 'mail [REDACTED:email] now');
    assert.equal(redact('card 4111 1111 1111 1111!'), 'card [REDACTED:card]!');
    assert.equal(redact('card 5500-0000-0000-0004'), 'card [REDACTED:card]');
    assert.equal(redact('not a card 4111 1111 1111 1112'), 'not a card 4111 1111 1111 1112');
    assert.equal(redact('ssn 123-45-6789.'), 'ssn [REDACTED:ssn].');
    assert.equal(redact('not ssn 000-12-3456'), 'not ssn 000-12-3456');
  });

  it('replaces configured fields (names anywhere, dot paths) and configured patterns', () => {
    const custom = createRedactor({
      fields: ['customer.ssn', 'internalNote', 'items.*.price'],
      patterns: [{ name: 'ticket', regex: 'TCK-\\d{6}' }],
    });
    assert.deepEqual(
      custom({
        customer: { ssn: 'x', name: 'Ann' },
        order: { customer: { ssn: 7 } },
        ssn: 'top-level stays',
        deep: { InternalNote: 'n' },
        items: { a: { price: 3, qty: 1 } },
        text: 'see TCK-123456 and TCK-12',
      }),
      {
        customer: { ssn: '[REDACTED:field]', name: 'Ann' },
        order: { customer: { ssn: '[REDACTED:field]' } },
        ssn: 'top-level stays',
        deep: { InternalNote: '[REDACTED:field]' },
        items: { a: { price: '[REDACTED:field]', qty: 1 } },
        text: 'see [REDACTED:ticket] and TCK-12',
      },
    );
    assert.throws(() => createRedactor({ fields: [], patterns: [{ name: 'bad', regex: '(' }] }), /bad/);
    assert.throws(() => createRedactor({ fields: [], patterns: [{ name: 'empty', regex: 'a*' }] }), /empty/);
  });

  it('returns a copy and never mutates its input', () => {
    const input = { password: 'p', nested: { email: 'a@b.example', list: ['4111111111111111'] } };
    const snapshot = structuredClone(input);
    const out = redact(input) as typeof input;
    assert.deepEqual(input, snapshot);
    assert.notEqual(out.nested, input.nested);
    assert.deepEqual(out, {
      password: '[REDACTED:secret]',
      nested: { email: '[REDACTED:email]', list: ['[REDACTED:card]'] },
    });
  });

  it('survives cycles, deep nesting and values JSON has no form for', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    cyclic.list = [cyclic];
    assert.deepEqual(redact(cyclic), { name: 'x', self: '[REDACTED:cycle]', list: ['[REDACTED:cycle]'] });
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    assert.match(JSON.stringify(redact(deep)), /\[REDACTED:depth\]/);
    const odd = {
      big: 10n,
      when: new Date(0),
      fn() {},
      missing: undefined,
      nan: Number.NaN,
      list: [undefined],
    };
    assert.deepEqual(redact(odd), { big: '10', when: '1970-01-01T00:00:00.000Z', nan: null, list: [null] });
    const shared = { a: 1 };
    assert.deepEqual(redact({ x: shared, y: shared }), { x: { a: 1 }, y: { a: 1 } }, 'shared is not a cycle');
  });
});

describe('storable audit values', () => {
  it('match a JSON round trip with well-formed strings, for edge cases and random values', () => {
    const reference = (value: unknown) =>
      JSON.parse(
        JSON.stringify(value, (_key, item: unknown) =>
          typeof item === 'string' ? storableText(item) : item,
        ) ?? 'null',
      );
    const edge: unknown[] = [
      { a: 'lone \ud800 surrogate', b: 'nul\u0000', c: undefined, d: () => 1, e: Number.NaN, f: -0 },
      [undefined, () => 1, Number.POSITIVE_INFINITY, 'x\udfff'],
      { z: new Date(0), y: { toJSON: (key: string) => `key:${key}` }, x: Object(2), w: Object('s') },
      { nested: [{ deep: [{ deeper: 'ok' }] }], '\ud800key': 1 },
      { ['__proto__']: { polluted: true } },
      JSON.parse('{"__proto__": {"polluted": true}}'),
    ];
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const leaves = ['text', '\ud83d', '\u0000', 1.5, Number.NaN, true, null, undefined, -7];
    const value = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.35) return leaves[Math.floor(random() * leaves.length)];
      if (r < 0.55) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      const object: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 4); i > 0; i--)
        object[`k${Math.floor(random() * 6)}`] = value(depth + 1);
      return object;
    };
    for (const v of [...edge, ...Array.from({ length: 2000 }, () => value(0))]) {
      const mine = storable(v) ?? null;
      assert.deepEqual(mine, reference(v));
      assert.equal(JSON.stringify(mine), JSON.stringify(reference(v)));
    }
  });
});

describe('audit hash chain', () => {
  it('serializes canonically: sorted keys, no whitespace', () => {
    assert.equal(GENESIS_HASH, '0'.repeat(64));
    assert.equal(
      canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: undefined } }),
      '{"a":[true,null,"x"],"b":1,"c":{"z":1}}',
    );
    assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
  });

  it('hashes exactly the event fields and links records', () => {
    const event = sampleEvent();
    const [first, second] = chainRecords(null, [event, sampleEvent({ requestId: 'req-2' })]);
    assert.ok(first && second);
    assert.equal(first.seq, 1);
    assert.equal(first.prevHash, GENESIS_HASH);
    assert.equal(second.prevHash, first.hash);
    assert.match(first.hash, /^[0-9a-f]{64}$/);
    assert.equal(hashEvent(GENESIS_HASH, 1, first), first.hash, 'seq/prevHash/hash fields are not hashed');
    assert.notEqual(hashEvent(GENESIS_HASH, 2, event), first.hash);
    assert.notEqual(hashEvent(GENESIS_HASH, 1, { ...event, latencyMs: 13 }), first.hash);
  });
});

/** A verify result with its checkpoint's time left out (when it was written varies). */
function withoutTime(result: VerifyResult): unknown {
  if (!result.ok || !result.checkpoint) return result;
  const { time, ...checkpoint } = result.checkpoint;
  assert.match(time, /^\d{4}-\d\d-\d\dT/);
  return { ...result, checkpoint };
}

/** A store that fails the next append when told to, and counts appends. */
class FlakyStore implements AuditStore {
  readonly inner: AuditStore;
  failNext = false;
  appends = 0;
  constructor(inner: AuditStore) {
    this.inner = inner;
  }
  init = () => this.inner.init();
  head = () => this.inner.head();
  checkpoint = () => this.inner.checkpoint();
  page = (afterSeq: number, limit: number) => this.inner.page(afterSeq, limit);
  query: AuditStore['query'] = (filter) => this.inner.query(filter);
  count = () => this.inner.count();
  close = () => this.inner.close();
  async append(records: readonly AuditRecord[]): Promise<readonly AuditRecord[]> {
    this.appends += 1;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    return this.inner.append(records);
  }
}

describe('audit log on SQLite', () => {
  let dir: string;
  before(async () => {
    dir = makeTempDir('gatehouse-audit-');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  let dbCount = 0;
  const dbPath = () => join(dir, `nested/dir/audit-${++dbCount}.db`);

  async function openLog(path: string, redactor = redact) {
    const store = new FlakyStore(new SqliteAuditStore({ path }));
    const errors: unknown[] = [];
    const log = await AuditLog.open({ store, redactor, onError: (error) => errors.push(error) });
    return { store, log, errors };
  }

  it('records redacted events, verifies, and continues the chain after reopening', async () => {
    const path = dbPath();
    const { log, store } = await openLog(path);
    await log.record(sampleEvent({ arguments: { password: 'p', note: 'mail a@b.example' } }));
    await log.record(
      sampleEvent({ status: 'error', errorMessage: 'bad token=abc123xyz', errorCode: -32603 }),
    );
    await log.close();
    const reopened = await openLog(path);
    await reopened.log.record(sampleEvent({ requestId: 'req-3' }));
    assert.equal(reopened.log.head?.seq, 3);
    const [first, second] = await reopened.store.page(0, 10);
    assert.deepEqual(first?.arguments, { password: '[REDACTED:secret]', note: 'mail [REDACTED:email]' });
    assert.equal(second?.errorMessage, 'bad token=[REDACTED:secret]');
    assert.deepEqual(withoutTime(await verifyChain(reopened.store)), {
      ok: true,
      count: 3,
      head: reopened.log.head,
      checkpoint: reopened.log.head,
    });
    await reopened.log.close();
    assert.equal(store.appends, 2);
  });

  it('group-commits 2000 concurrent records into a gap-free chain', async () => {
    const { log, store } = await openLog(dbPath());
    const calls = Array.from({ length: 2000 }, (_, i) => log.record(sampleEvent({ requestId: `r${i}` })));
    assert.equal(log.queueDepth, 2000);
    await Promise.all(calls);
    assert.equal(log.queueDepth, 0);
    assert.ok(store.appends <= 8, `batched into ${store.appends} transactions`);
    assert.equal(await store.count(), 2000);
    const records = await store.page(0, 5000);
    assert.deepEqual(
      records.map((r) => r.seq),
      Array.from({ length: 2000 }, (_, i) => i + 1),
    );
    assert.equal(records[1999]?.requestId, 'r1999', 'chained in the order recorded');
    const result = await verifyChain(store, { pageSize: 300 });
    assert.equal(result.ok, true);
    assert.equal(result.count, 2000);
    await log.close();
  });

  async function tamperable(count: number) {
    const path = dbPath();
    const { log, store } = await openLog(path);
    await Promise.all(
      Array.from({ length: count }, (_, i) => log.record(sampleEvent({ requestId: `r${i + 1}` }))),
    );
    const other = new DatabaseSync(path);
    return { log, store, other };
  }

  it('detects an UPDATE made through another connection, naming the record', async () => {
    const { log, store, other } = await tamperable(10);
    other.prepare("UPDATE audit_log SET event = json_set(event, '$.status', 'denied') WHERE seq = 6").run();
    const altered = await verifyChain(store, { pageSize: 4 });
    assert.equal(altered.ok, false);
    if (!altered.ok) {
      assert.equal(altered.count, 5);
      assert.deepEqual([altered.firstBad.seq, altered.firstBad.problem], [6, 'altered']);
      assert.match(altered.firstBad.detail, /record 6/);
    }
    // An indexed column is covered too, not only the JSON.
    other.prepare("UPDATE audit_log SET event = json_set(event, '$.status', 'ok') WHERE seq = 6").run();
    other.prepare("UPDATE audit_log SET principal_user = 'mallory' WHERE seq = 3").run();
    const result = await verifyChain(store);
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? null : [result.firstBad.seq, result.firstBad.problem], [3, 'altered']);
    other.close();
    await log.close();
  });

  it('detects a deleted record, naming the missing seq', async () => {
    const { log, store, other } = await tamperable(10);
    other.prepare('DELETE FROM audit_log WHERE seq = 4').run();
    const result = await verifyChain(store);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.count, 3);
      assert.deepEqual([result.firstBad.seq, result.firstBad.problem], [4, 'missing']);
      assert.match(result.firstBad.detail, /record 4 is missing/);
    }
    other.close();
    await log.close();
  });

  it('rejects a failed batch and continues the chain from the same place', async () => {
    const { log, store, errors } = await openLog(dbPath());
    await Promise.all([log.record(sampleEvent()), log.record(sampleEvent())]);
    store.failNext = true;
    const failed = await Promise.allSettled(
      [1, 2, 3].map((i) => log.record(sampleEvent({ requestId: `lost${i}` }))),
    );
    assert.deepEqual(
      failed.map((f) => f.status),
      ['rejected', 'rejected', 'rejected'],
    );
    assert.equal(errors.length, 1);
    await Promise.all([log.record(sampleEvent({ requestId: 'after' })), log.record(sampleEvent())]);
    const records = await store.page(0, 100);
    assert.deepEqual(
      records.map((r) => [r.seq, r.requestId]),
      [
        [1, 'req-1'],
        [2, 'req-1'],
        [3, 'after'],
        [4, 'req-1'],
      ],
    );
    assert.deepEqual(withoutTime(await verifyChain(store)), {
      ok: true,
      count: 4,
      head: log.head,
      checkpoint: log.head,
    });
    await log.close();
  });

  it('answers queries with filters, newest first', async () => {
    const { log, store } = await openLog(dbPath());
    const bob = { id: 'oidc:https://idp#bob', user: 'bob', org: null, roles: [], via: 'oidc' };
    await Promise.all([
      log.record(sampleEvent({ time: '2026-01-01T10:00:00.000Z', target: 'crm_search' })),
      log.record(sampleEvent({ time: '2026-01-02T10:00:00.000Z', target: 'crm_update', principal: bob })),
      log.record(
        sampleEvent({
          time: '2026-01-03T10:00:00.000Z',
          target: 'git_push',
          status: 'denied',
          decision: 'deny',
        }),
      ),
      log.record(
        sampleEvent({ time: '2026-01-04T10:00:00.000Z', method: 'resources/read', target: 'file:///a_b' }),
      ),
    ]);
    const targets = async (filter: Parameters<AuditStore['query']>[0]) =>
      (await store.query(filter)).map((r) => r.target);
    assert.deepEqual(await targets({}), ['file:///a_b', 'git_push', 'crm_update', 'crm_search']);
    assert.deepEqual(await targets({ limit: 1 }), ['file:///a_b']);
    assert.deepEqual(await targets({ since: '2026-01-02T10:00:00Z', until: '2026-01-04T00:00:00+00:00' }), [
      'git_push',
      'crm_update',
    ]);
    assert.deepEqual(await targets({ principal: 'bob' }), ['crm_update']);
    assert.deepEqual(await targets({ principal: 'key:k1', method: 'tools/call' }), [
      'git_push',
      'crm_search',
    ]);
    assert.deepEqual(await targets({ target: 'crm_*' }), ['crm_update', 'crm_search']);
    assert.deepEqual(await targets({ target: 'CRM_*' }), [], 'case-sensitive');
    assert.deepEqual(await targets({ target: 'file:///a?b' }), [], 'only * is a wildcard');
    assert.deepEqual(await targets({ status: 'denied', decision: 'deny' }), ['git_push']);
    await assert.rejects(store.query({ since: 'yesterday' }), /ISO-8601/);
    await log.close();
  });

  it('exports JSON lines in seq order that read back and verify', async () => {
    const { log, store } = await openLog(dbPath());
    await Promise.all(Array.from({ length: 25 }, (_, i) => log.record(sampleEvent({ requestId: `r${i}` }))));
    let text = '';
    const result = await exportJsonl(
      store,
      (line) => {
        text += line;
      },
      { pageSize: 7 },
    );
    assert.deepEqual(result, { count: 25, head: log.head });
    const records = parseJsonl(text);
    assert.deepEqual(records, await store.page(0, 100));
    assert.deepEqual(await verifyChain(pagesOf(records)), { ok: true, count: 25, head: log.head });
    const tail: string[] = [];
    await exportJsonl(store, (line) => void tail.push(line), { afterSeq: 20 });
    assert.deepEqual(
      tail.map((line) => (JSON.parse(line) as AuditRecord).seq),
      [21, 22, 23, 24, 25],
    );
    // A head anchored elsewhere catches truncation of the newest records.
    const truncated = await verifyChain(pagesOf(records.slice(0, 20)), {
      expectHead: result.head ?? undefined,
    });
    assert.equal(truncated.ok, false);
    await log.close();
  });

  it('flushes, then refuses records after close', async () => {
    const { log, store } = await openLog(dbPath());
    const pending = log.record(sampleEvent());
    await log.flush();
    await pending;
    assert.equal(await store.inner.count(), 1);
    const closing = log.close();
    await assert.rejects(log.record(sampleEvent()), /closed/);
    await closing;
    await assert.rejects(log.record(sampleEvent()), /closed/);
  });

  it('keeps every record whose record() resolved when the process is SIGKILLed', async () => {
    const path = dbPath();
    const moduleUrl = new URL('../src/audit/index.ts', import.meta.url).href;
    const script = `
      const { AuditLog, SqliteAuditStore, createRedactor } = await import(${JSON.stringify(moduleUrl)});
      const log = await AuditLog.open({ store: new SqliteAuditStore({ path: ${JSON.stringify(path)} }),
        redactor: createRedactor({ fields: [], patterns: [] }) });
      const event = ${JSON.stringify(sampleEvent())};
      await Promise.all(Array.from({ length: 300 }, () => log.record(event)));
      process.stdout.write('committed\\n');
      setInterval(() => log.record(event), 1);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('committed') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const store = new SqliteAuditStore({ path });
    await store.init();
    const result = await verifyChain(store);
    assert.equal(result.ok, true);
    assert.ok(result.count >= 300, `${result.count} records survived`);
    await store.close();
  });
});
