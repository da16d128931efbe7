/**
 * Expiring records (console sign-ins, OIDC sign-ins under way), in memory and in a real
 * PostgreSQL where two instances stand for two replicas: what one writes the other reads, a take
 * succeeds once across both, and an expired record is gone. Needs GATEHOUSE_TEST_PG_URL.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  type ExpiringRecords,
  MemoryExpiringRecords,
  PgExpiringRecords,
} from '../src/storage/expiring-records.ts';
import { openSharedPostgres, type SharedPostgres } from '../src/storage/postgres.ts';
import { dropPgSchemas, freshPgUrl } from './helpers/pg-schema.ts';

type Value = { state: string };

async function behaves(one: ExpiringRecords<Value>, other: ExpiringRecords<Value>): Promise<void> {
  const later = Date.now() + 60_000;
  await one.put('k1', { state: 's1' }, later);
  assert.deepEqual(await other.get('k1'), { state: 's1' });
  const taken = await Promise.all([one.take('k1'), other.take('k1')]);
  assert.deepEqual(
    taken.filter((v) => v !== undefined),
    [{ state: 's1' }],
    'taken once, whichever asks',
  );
  assert.equal(await one.get('k1'), undefined);
  await one.put('old', { state: 'gone' }, Date.now() - 1);
  assert.equal(await other.get('old'), undefined, 'an expired record is not read');
  assert.equal(await other.take('old'), undefined);
  await one.put('k2', { state: 's2' }, later);
  await other.remove('k2');
  assert.equal(await one.get('k2'), undefined);
}

describe('expiring records', () => {
  const opened: SharedPostgres[] = [];
  after(async () => {
    await Promise.all(opened.map((db) => db.close()));
    await dropPgSchemas();
  });

  it('in memory (one process), bounded', async () => {
    const memory = new MemoryExpiringRecords<Value>(2);
    await behaves(memory, memory);
    for (const key of ['a', 'b', 'c']) await memory.put(key, { state: key }, Date.now() + 60_000);
    assert.equal(await memory.get('a'), undefined, 'the oldest is dropped past the bound');
    assert.deepEqual(await memory.get('c'), { state: 'c' });
  });

  it('in PostgreSQL, shared by two replicas', async () => {
    const url = await freshPgUrl('expiring');
    const [x, y] = [openSharedPostgres({ url, poolSize: 2 }), openSharedPostgres({ url, poolSize: 2 })];
    opened.push(x, y);
    await behaves(
      new PgExpiringRecords<Value>(x, 'test', 'test records'),
      new PgExpiringRecords<Value>(y, 'test', 'test records'),
    );
    await new PgExpiringRecords<Value>(x, 'test', 'test records').put(
      'same',
      { state: 'one kind' },
      Date.now() + 60_000,
    );
    assert.equal(
      await new PgExpiringRecords<Value>(y, 'other', 'other records').get('same'),
      undefined,
      'kinds are apart',
    );
  });
});
