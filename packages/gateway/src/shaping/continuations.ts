/**
 * Where the pages a token budget held back wait for the model to ask for them: a bounded,
 * in-memory store with a time to live. With a shared store behind it (storage.postgres), each
 * continuation is also written there before its first page is answered (`settle()`), and a
 * replica asked for one it does not hold reads it from there first (`load()`): any replica
 * answers any continuation, also after the one that issued it died.
 *
 * Bounded three ways — entries in all, entries per principal, and characters held — evicting the
 * least recently used first. Each entry belongs to the principal and the tool it was issued for;
 * anyone else asking for it is told it does not exist, exactly as for an expired one.
 *
 * The cursor the model sees is `<entry id>.<offsets>`: the entry (random, unguessable) and where
 * the next page starts. Asking for the same cursor twice returns the same page, so a retried
 * call is harmless.
 */
import { randomBytes } from 'node:crypto';
import { type Paging, validOffsets } from './budget.ts';

export interface Continuation {
  owner: string;
  /** The exposed tool name the result came from, and its upstream. */
  tool: string;
  upstream: string;
  paging: Paging;
  /** Whether the pages carry structuredContent (else the JSON is the text only). */
  structured: boolean;
}

interface Entry extends Continuation {
  expiresAt: number;
  chars: number;
}

export interface ContinuationLimits {
  ttlMs: number;
  maxEntries: number;
  maxPerPrincipal: number;
  /** Characters of JSON held in all, over every entry. */
  maxChars: number;
}

export const DEFAULT_CONTINUATION_LIMITS: ContinuationLimits = {
  ttlMs: 10 * 60_000,
  maxEntries: 1000,
  maxPerPrincipal: 20,
  maxChars: 64 * 1024 * 1024,
};

const CURSOR = /^([A-Za-z0-9_-]{16})\.([0-9a-z]+(?:-[0-9a-z]+)*)$/;

/** Continuations kept where every replica reads them (storage.postgres). */
export interface SharedContinuations {
  put(id: string, continuation: Continuation, expiresAt: number): Promise<void>;
  /** The continuation under `id` unless it expired. */
  get(id: string, now: number): Promise<Continuation | undefined>;
  touch(id: string, expiresAt: number): Promise<void>;
}

export class ContinuationStore {
  private readonly entries = new Map<string, Entry>();
  private readonly perOwner = new Map<string, number>();
  private chars = 0;
  private readonly limits: ContinuationLimits;
  private readonly now: () => number;
  private readonly shared: SharedContinuations | null;
  private readonly onError: (error: unknown) => void;
  /** Writes to the shared store still running (each reports its own failure and leaves). */
  private readonly writes = new Set<Promise<void>>();

  constructor(
    limits: Partial<ContinuationLimits> = {},
    now: () => number = Date.now,
    shared: { store: SharedContinuations; onError: (error: unknown) => void } | null = null,
  ) {
    this.limits = { ...DEFAULT_CONTINUATION_LIMITS, ...limits };
    this.now = now;
    this.shared = shared?.store ?? null;
    this.onError = shared?.onError ?? (() => {});
  }

  /**
   * Waits for the continuations being written to the shared store (this call's among them), so
   * the cursor an answer carries works on every replica. A failed write is reported; the cursor
   * still works on this replica.
   */
  async settle(): Promise<void> {
    if (this.writes.size > 0) await Promise.all([...this.writes]);
  }

  /** Makes sure a continuation another replica issued is here before `open()` (no-op when held). */
  async load(cursor: unknown): Promise<void> {
    if (this.shared === null || typeof cursor !== 'string') return;
    const id = CURSOR.exec(cursor)?.[1];
    if (id === undefined || this.entries.has(id)) return;
    let found: Continuation | undefined;
    try {
      found = await this.shared.get(id, this.now());
    } catch (error) {
      this.onError(error);
      return;
    }
    if (found !== undefined && !this.entries.has(id)) this.keep(id, found);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Keeps a paged result; returns the cursor of its second page, or undefined if it is too big to keep. */
  save(continuation: Continuation, offsets: readonly number[]): string | undefined {
    const chars = charsOf(continuation);
    if (chars > this.limits.maxChars) return undefined;
    this.dropExpired();
    const owner = continuation.owner;
    while ((this.perOwner.get(owner) ?? 0) >= this.limits.maxPerPrincipal && this.evictOldest(owner)) {
      // evicted this principal's least recently used entry
    }
    while (
      (this.entries.size >= this.limits.maxEntries || this.chars + chars > this.limits.maxChars) &&
      this.evictOldest()
    ) {
      // evicted the least recently used entry of anyone
    }
    const id = randomBytes(12).toString('base64url');
    const entry = this.keep(id, continuation, chars);
    if (this.shared !== null) {
      const write: Promise<void> = this.shared
        .put(id, continuation, entry.expiresAt)
        .catch(this.onError)
        .finally(() => this.writes.delete(write));
      this.writes.add(write);
    }
    return cursorOf(id, offsets);
  }

  private keep(id: string, continuation: Continuation, chars = charsOf(continuation)): Entry {
    const entry = { ...continuation, expiresAt: this.now() + this.limits.ttlMs, chars };
    this.entries.set(id, entry);
    this.perOwner.set(continuation.owner, (this.perOwner.get(continuation.owner) ?? 0) + 1);
    this.chars += chars;
    return entry;
  }

  /**
   * The entry and offsets a cursor names, for this principal and tool; undefined when it is
   * unknown, expired, malformed, or someone else's. Using an entry keeps it alive.
   */
  open(
    cursor: string,
    owner: string,
    tool: string,
  ): { continuation: Continuation; offsets: number[]; cursorFor: (offsets: number[]) => string } | undefined {
    const match = CURSOR.exec(cursor);
    if (match === null) return undefined;
    const id = match[1] as string;
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(id, entry);
      return undefined;
    }
    if (entry.owner !== owner || entry.tool !== tool) return undefined;
    const offsets = (match[2] as string).split('-').map((n) => Number.parseInt(n, 36));
    if (!validOffsets(entry.paging, offsets)) return undefined;
    this.entries.delete(id);
    entry.expiresAt = this.now() + this.limits.ttlMs;
    this.entries.set(id, entry);
    this.shared?.touch(id, entry.expiresAt).catch(this.onError);
    return { continuation: entry, offsets, cursorFor: (next) => cursorOf(id, next) };
  }

  private dropExpired(): void {
    const now = this.now();
    // Least recently used first, and every use extends by the same TTL: the expired are in front.
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt > now) return;
      this.remove(id, entry);
    }
  }

  private evictOldest(owner?: string): boolean {
    for (const [id, entry] of this.entries) {
      if (owner === undefined || entry.owner === owner) {
        this.remove(id, entry);
        return true;
      }
    }
    return false;
  }

  private remove(id: string, entry: Entry): void {
    this.entries.delete(id);
    this.chars -= entry.chars;
    const left = (this.perOwner.get(entry.owner) ?? 1) - 1;
    if (left > 0) this.perOwner.set(entry.owner, left);
    else this.perOwner.delete(entry.owner);
  }
}

function charsOf(continuation: Continuation): number {
  const { paging } = continuation;
  return paging.skeletonChars + paging.arrays.reduce((sum, a) => sum + a.sizes.reduce((s, n) => s + n, 0), 0);
}

function cursorOf(id: string, offsets: readonly number[]): string {
  return `${id}.${offsets.map((n) => n.toString(36)).join('-')}`;
}
