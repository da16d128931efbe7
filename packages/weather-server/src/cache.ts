/**
 * A small in-memory answer cache for upstream calls: bounded (least recently used entries go
 * first), with a time-to-live, and coalescing — while a key is being loaded, further callers of
 * the same key wait for that one load instead of starting their own upstream request. Failed
 * loads are not cached. A waiting caller can give up (its AbortSignal) without cancelling the
 * shared load the others still wait for.
 */

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

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly loading = new Map<string, Promise<V>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly counters: CacheStats = { hits: 0, misses: 0, coalesced: 0, evictions: 0 };

  constructor(options: CacheOptions) {
    this.ttlMs = options.ttlMs;
    this.maxEntries = Math.max(1, options.maxEntries);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  stats(): CacheStats {
    return { ...this.counters };
  }

  clear(): void {
    this.entries.clear();
  }

  /** The cached value for `key`, else the in-flight load, else a new `load()`. */
  getOrLoad(key: string, load: () => Promise<V>, signal?: AbortSignal): Promise<V> {
    if (signal?.aborted) return Promise.reject(abandoned(signal));
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      if (entry.expiresAt > this.now()) {
        // Re-insert to mark it most recently used.
        this.entries.delete(key);
        this.entries.set(key, entry);
        this.counters.hits++;
        return Promise.resolve(entry.value);
      }
      this.entries.delete(key);
    }
    const inFlight = this.loading.get(key);
    if (inFlight !== undefined) {
      this.counters.coalesced++;
      return untilAborted(inFlight, signal);
    }
    this.counters.misses++;
    const started = load().then(
      (value) => {
        this.loading.delete(key);
        this.store(key, value);
        return value;
      },
      (error: unknown) => {
        this.loading.delete(key);
        throw error;
      },
    );
    // Marked handled: when every waiter has given up, a failed load must not be an unhandled rejection.
    started.catch(() => undefined);
    this.loading.set(key, started);
    return untilAborted(started, signal);
  }

  private store(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
      this.counters.evictions++;
    }
  }
}
