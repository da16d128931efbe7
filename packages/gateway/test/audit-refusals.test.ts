/**
 * Requests refused before the pipeline are audited (issue 15): a bad or revoked API key, a
 * foreign Origin, an oversize body, a body that is not JSON, an unknown session — with the
 * presented key's id and never its secret, coalesced per source, reason and key per window, and
 * the gateway keeps serving.
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../src/audit/event.ts';
import { RefusalAudit } from '../src/audit/refusals.ts';
import { SqliteApiKeys } from '../src/auth/api-keys-sqlite.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { jsonRpcError } from '../src/transport/responses.ts';
import { fixtureUpstreamYaml, startGateway, type TestGateway, tempStorage } from './helpers/harness.ts';
import { MODERN_ENVELOPE, post } from './helpers/raw-http.ts';

describe('RefusalAudit', () => {
  const refusal = () => jsonRpcError(401, 'Unauthenticated', 'invalid API key');

  it('records the first refusal at once and the repeats of its window as one record with the count', async () => {
    const written: AuditEvent[] = [];
    const audit = new RefusalAudit({ record: async (e) => void written.push(e) }, silentLogger(), {
      windowMs: 50,
    });
    const context = { source: '10.0.0.1', era: 'modern' as const, keyId: 'abcdefabcdef' };
    for (let i = 0; i < 5; i++) await audit.refused(refusal(), context);
    await audit.refused(refusal(), { ...context, keyId: 'zzzzzzzzzzzz' });
    assert.equal(written.length, 2, 'one record per source, reason and key so far');
    await new Promise((resolve) => setTimeout(resolve, 120));
    await audit.flush();
    assert.equal(written.length, 3);
    const repeats = written[2] as AuditEvent;
    assert.deepEqual(repeats.arguments, {
      source: '10.0.0.1',
      httpStatus: 401,
      keyId: 'abcdefabcdef',
      count: 4,
      windowSeconds: 0,
    });
    assert.equal(repeats.target, 'unauthenticated');
    assert.equal(repeats.status, 'denied');
    assert.equal(repeats.errorCode, -32056);
  });

  it('counts refusals past its key limit under one overflow record', async () => {
    const written: AuditEvent[] = [];
    const audit = new RefusalAudit({ record: async (e) => void written.push(e) }, silentLogger(), {
      maxKeys: 2,
    });
    for (let i = 0; i < 10; i++) await audit.refused(refusal(), { source: `10.0.0.${i}`, era: 'legacy' });
    assert.equal(written.length, 2, 'the first two sources at once');
    await audit.flush();
    assert.equal(written.length, 3);
    assert.deepEqual((written[2] as AuditEvent).arguments, {
      source: '*',
      httpStatus: 401,
      count: 8,
      windowSeconds: 60,
    });
  });
});

describe('refusals before the pipeline, through HTTP', () => {
  let gw: TestGateway;
  let storage: string;
  const keys: Record<string, string> = {};

  before(async () => {
    storage = tempStorage();
    const store = new SqliteApiKeys(storage);
    keys.alice = store.create({ user: 'alice', roles: ['everyone'] }).key;
    const revoked = store.create({ user: 'eve', roles: ['everyone'] });
    store.revoke(revoked.info.id);
    keys.eve = revoked.key;
    store.close();
    gw = await startGateway(`server: { maxBodyBytes: 4096 }
upstreams:
${fixtureUpstreamYaml('alpha')}
auth:
  apiKeys: true
policy:
  groups:
    everything:
      allow: [{ tools: ["*"] }]
  roles:
    everyone: { groups: [everything] }
storage: { path: ${JSON.stringify(storage)} }
`);
  });
  let closed = false;
  after(async () => {
    if (!closed) await gw?.close();
  });

  const call = (id: number) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'alpha_echo', arguments: { message: 'hi' }, _meta: MODERN_ENVELOPE },
  });
  const headers = (key: string) => ({
    authorization: `Bearer ${key}`,
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'tools/call',
    'mcp-name': 'alpha_echo',
  });

  function refusals(): { target: string; status: string; event: string }[] {
    const db = new DatabaseSync(storage, { readOnly: true });
    try {
      return db
        .prepare("SELECT target, status, event FROM audit_log WHERE method = 'http/refused' ORDER BY seq")
        .all() as { target: string; status: string; event: string }[];
    } finally {
      db.close();
    }
  }

  it('records each kind of refusal, with the key id and never the secret, and keeps serving', async () => {
    const revoked = await post(gw.url, call(1), headers(keys.eve as string));
    assert.equal(revoked.status, 401);
    await post(gw.url, call(2), headers(keys.eve as string)); // a repeat: counted, not recorded yet
    const foreign = await post(gw.url, call(3), {
      ...headers(keys.alice as string),
      origin: 'http://evil.example',
    });
    assert.equal(foreign.status, 403);
    const big = await post(
      gw.url,
      { ...call(4), params: { padding: 'x'.repeat(8000) } },
      headers(keys.alice as string),
    );
    assert.equal(big.status, 413);
    const garbled = await post(gw.url, '{"jsonrpc":', headers(keys.alice as string));
    assert.equal(garbled.status, 400);
    const lost = await post(
      gw.url,
      { jsonrpc: '2.0', id: 5, method: 'tools/list' },
      {
        authorization: `Bearer ${keys.alice}`,
        'mcp-session-id': 'no-such-session',
        'mcp-protocol-version': '2025-11-25',
      },
    );
    assert.equal(lost.status, 404);
    const fine = await post(gw.url, call(6), headers(keys.alice as string));
    assert.equal(fine.status, 200, 'the gateway keeps serving');

    await gw.gateway.access.audit?.flush();
    const recorded = refusals();
    assert.deepEqual(
      recorded.map((r) => [r.target, r.status]),
      [
        ['unauthenticated', 'denied'],
        ['forbidden_host_or_origin', 'denied'],
        ['payload_too_large', 'error'],
        ['parse_error', 'error'],
        ['session_not_found', 'error'],
      ],
    );
    const first = JSON.parse(recorded[0]?.event ?? '{}') as {
      arguments: { keyId?: string; source?: string };
    };
    const keyId = /^ghk_([A-Za-z0-9]{12})_/.exec(keys.eve as string)?.[1];
    assert.equal(first.arguments.keyId, keyId, 'the presented key is named by its id');
    assert.match(first.arguments.source ?? '', /127\.0\.0\.1/);
    const secret = (keys.eve as string).slice(`ghk_${keyId}_`.length);
    const db = new DatabaseSync(storage, { readOnly: true });
    try {
      const leaked = db
        .prepare('SELECT count(*) AS n FROM audit_log WHERE event LIKE ?')
        .get(`%${secret}%`) as {
        n: number;
      };
      assert.equal(leaked.n, 0, 'no record holds the secret');
    } finally {
      db.close();
    }
    const lostRecord = JSON.parse(recorded[4]?.event ?? '{}') as { principal: { user: string } | null };
    assert.equal(lostRecord.principal?.user, 'alice', 'an admitted caller is named');
  });

  it('records the repeats with their count when the gateway stops', async () => {
    closed = true;
    await gw.close();
    const repeats = refusals().filter((r) => r.target === 'unauthenticated');
    assert.equal(repeats.length, 2);
    const counted = JSON.parse(repeats[1]?.event ?? '{}') as { arguments: { count: number } };
    assert.equal(counted.arguments.count, 1);
  });
});
