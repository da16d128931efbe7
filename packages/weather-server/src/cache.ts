/**
 * The in-memory answer cache for upstream calls, on lru-cache's `fetch`: bounded (least recently
 * used entries go first), with a time-to-live, and coalescing — while a key is being loaded,
 * further callers of the same key wait for that one load instead of starting their own upstream
 * request. Failed loads are not cached. A waiting caller can give up (its AbortSignal) without
 * cancelling the shared load the others still wait for.
 */
import { LRUCache } from 'lru-cache';

export interface CacheOptions {
  /** How long a loaded value is served; 0 = never stored (concurrent loads still coalesce). */
  ttlMs: number;
  maxEntries: number;
  /** Clock in ms; injectable so tests can move time without waiting. */
  now?: () => number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Callers that joined a load already in flight. */
  coalesced: number;
  evictions: number;
}

type Load<V> = () => Promise<V>;

function abandoned(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('The operation was aborted.', 'AbortError');
}

/** Waits for `promise` unless `signal` aborts first. */
function untilAborted<V>(promise: Promise<V>, signal: AbortSignal | undefined): Promise<V> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abandoned(signal));
  return new Promise<V>((resolve, reject) => {
    const onAbort = (): void => reject(abandoned(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class TtlCache<V extends {}> {
  private readonly lru: LRUCache<string, V, Load<V>>;
  private readonly stores: boolean;
  private readonly counters: CacheStats = { hits: 0, misses: 0, coalesced: 0, evictions: 0 };

  constructor(options: CacheOptions) {
    this.stores = options.ttlMs > 0;
    const now = options.now;
    this.lru = new LRUCache<string, V, Load<V>>({
      max: Math.max(1, options.maxEntries),
      // lru-cache reads 0 as "never expires"; with a TTL of 0 values are dropped once loaded.
      ttl: this.stores ? options.ttlMs : 1,
      ttlResolution: 0,
      ...(now === undefined ? {} : { perf: { now } }),
      // The load itself is never cancelled: callers give up on their own (untilAborted).
      ignoreFetchAbort: true,
      fetchMethod: (_key, _stale, { context }) => context(),
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.counters.evictions++;
      },
    });
  }

  get size(): number {
    return this.lru.size;
  }

  stats(): CacheStats {
    return { ...this.counters };
  }

  clear(): void {
    this.lru.clear();
  }

  /** The cached value for `key`, else the in-flight load, else a new `load()`. */
  getOrLoad(key: string, load: Load<V>, signal?: AbortSignal): Promise<V> {
    if (signal?.aborted) return Promise.reject(abandoned(signal));
    const status: LRUCache.Status<string, V, Load<V>> = {};
    const loaded = this.lru.fetch(key, { context: load, status }).then((value) => {
      if (!this.stores) this.lru.delete(key);
      if (value === undefined) throw new Error(`cache load for ${key} returned no value`);
      return value;
    });
    this.count(status.fetch);
    // Marked handled: when every waiter has given up, a failed load must not be an unhandled rejection.
    loaded.catch(() => undefined);
    return untilAborted(loaded, signal);
  }

  private count(outcome: LRUCache.Status<string, V, Load<V>>['fetch']): void {
    if (outcome === 'hit') this.counters.hits++;
    else if (outcome === 'inflight') this.counters.coalesced++;
    else this.counters.misses++;
  }
}
