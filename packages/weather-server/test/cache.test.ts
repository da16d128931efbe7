/**
 * The TTL cache on its own, on a test clock: hits within the TTL, expiry, least-recently-used
 * eviction, coalescing of concurrent loads, failures shared but not stored, and a waiter giving
 * up without cancelling the load others wait for.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TtlCache } from '../src/cache.ts';

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('TtlCache', () => {
  test('serves a value until its TTL passes, then loads again', async () => {
    let clock = 5_000;
    let loads = 0;
    const cache = new TtlCache<number>({ ttlMs: 1000, maxEntries: 10, now: () => clock });
    const load = async () => ++loads;
    assert.equal(await cache.getOrLoad('k', load), 1);
    clock = 6_000;
    assert.equal(await cache.getOrLoad('k', load), 1, 'served up to an age of exactly the TTL');
    clock = 6_001;
    assert.equal(await cache.getOrLoad('k', load), 2);
    assert.deepEqual(cache.stats(), { hits: 1, misses: 2, coalesced: 0, evictions: 0 });
  });

  test('evicts the least recently used entry beyond maxEntries', async () => {
    const cache = new TtlCache<string>({ ttlMs: 60_000, maxEntries: 2 });
    const loaded: string[] = [];
    const load = (key: string) => async () => {
      loaded.push(key);
      return key;
    };
    await cache.getOrLoad('a', load('a'));
    await cache.getOrLoad('b', load('b'));
    await cache.getOrLoad('a', load('a')); // a is now the most recently used
    await cache.getOrLoad('c', load('c')); // evicts b
    assert.equal(cache.size, 2);
    await cache.getOrLoad('a', load('a'));
    await cache.getOrLoad('b', load('b'));
    assert.deepEqual(loaded, ['a', 'b', 'c', 'b']);
    assert.equal(cache.stats().evictions, 2);
  });

  test('concurrent callers of one key share a single load', async () => {
    const cache = new TtlCache<string>({ ttlMs: 60_000, maxEntries: 10 });
    const pending = deferred<string>();
    let loads = 0;
    const load = () => {
      loads++;
      return pending.promise;
    };
    const waiters = [cache.getOrLoad('k', load), cache.getOrLoad('k', load), cache.getOrLoad('k', load)];
    pending.resolve('value');
    assert.deepEqual(await Promise.all(waiters), ['value', 'value', 'value']);
    assert.equal(loads, 1);
    assert.equal(cache.stats().coalesced, 2);
  });

  test('a failed load reaches every waiter and is not stored', async () => {
    const cache = new TtlCache<string>({ ttlMs: 60_000, maxEntries: 10 });
    const pending = deferred<string>();
    const first = cache.getOrLoad('k', () => pending.promise);
    const second = cache.getOrLoad('k', () => Promise.resolve('unused'));
    pending.reject(new Error('upstream down'));
    await assert.rejects(first, /upstream down/);
    await assert.rejects(second, /upstream down/);
    assert.equal(await cache.getOrLoad('k', async () => 'recovered'), 'recovered');
  });

  test('a waiter that gives up does not cancel the shared load', async () => {
    const cache = new TtlCache<string>({ ttlMs: 60_000, maxEntries: 10 });
    const pending = deferred<string>();
    const controller = new AbortController();
    const impatient = cache.getOrLoad('k', () => pending.promise, controller.signal);
    const patient = cache.getOrLoad('k', () => Promise.resolve('unused'));
    controller.abort();
    await assert.rejects(impatient, { name: 'AbortError' });
    pending.resolve('late value');
    assert.equal(await patient, 'late value');
    assert.equal(await cache.getOrLoad('k', async () => 'unused'), 'late value', 'the load was stored');
    await assert.rejects(
      cache.getOrLoad('other', async () => 'x', controller.signal),
      { name: 'AbortError' },
    );
  });

  test('with a TTL of 0 nothing is stored, but concurrent loads still coalesce', async () => {
    const cache = new TtlCache<number>({ ttlMs: 0, maxEntries: 10 });
    let loads = 0;
    const load = async () => ++loads;
    const [a, b] = await Promise.all([cache.getOrLoad('k', load), cache.getOrLoad('k', load)]);
    assert.deepEqual([a, b], [1, 1]);
    assert.equal(await cache.getOrLoad('k', load), 2);
    assert.equal(cache.size, 0);
  });
});
