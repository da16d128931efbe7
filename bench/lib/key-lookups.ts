/**
 * What one API-key lookup costs PostgreSQL when the replica's 5 s cache does not have the key (at
 * 100,000 users spread over many replicas, nearly every call): `lookups` verifications of random
 * keys among `keys`, with the cache off, through the gateway's own PgApiKeyStore and pool,
 * `concurrency` at a time; PostgreSQL's CPU read around them (bench/lib/backend-cpu.ts).
 */
import { PgApiKeyStore } from '../../packages/gateway/src/auth/api-keys-pg.ts';
import { openSharedPostgres } from '../../packages/gateway/src/storage/postgres.ts';
import { freshPgUrl } from '../../packages/gateway/test/helpers/pg-schema.ts';
import { backendCpuMs, backendPids } from './backend-cpu.ts';

export interface KeyLookupCost {
  lookups: number;
  perSecond: number;
  /** PostgreSQL (and Redis, idle here) CPU per lookup. */
  backendCpuMsPerLookup: number;
}

export async function measureKeyLookups(
  keys = 1000,
  lookups = 20_000,
  concurrency = 16,
): Promise<KeyLookupCost> {
  const shared = openSharedPostgres({ url: await freshPgUrl('keylookups'), poolSize: 8 });
  const store = new PgApiKeyStore(shared, { cacheMs: 0 });
  try {
    const made: string[] = [];
    for (let i = 0; i < keys; i++)
      made.push((await store.create({ user: `user-${i}`, roles: ['sales'] })).key);
    const pids = backendPids();
    const before = backendCpuMs(pids);
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < lookups) {
          next++;
          const key = made[Math.floor(Math.random() * made.length)] as string;
          if ((await store.verify(key)) === undefined) throw new Error('a created key did not verify');
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      lookups,
      perSecond: lookups / seconds,
      backendCpuMsPerLookup: (backendCpuMs(pids) - before) / lookups,
    };
  } finally {
    await store.close();
    await shared.close();
  }
}
