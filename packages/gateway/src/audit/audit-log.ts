/**
 * The audit log: redacts each event, places it on the hash chain and commits it to a store, with
 * group commit — events recorded while a write is in progress go together in the next batch.
 * `record()` resolves only once its record is committed, so a caller that awaits it knows the
 * record survives a crash of the gateway process.
 *
 * Chain positions (seq, prevHash, hash) are assigned when a batch is written, in the order the
 * events were recorded. A batch that fails to commit rejects its callers and does not advance the
 * chain: the next batch starts from the same place (the head is re-read from the store when
 * possible, in case the failed commit did in fact land). The log never logs; it reports failures
 * through `onError`.
 */
import { type ChainHead, chainRecords } from './chain.ts';
import type { AuditEvent, AuditRecord } from './event.ts';
import { type Redactor, storableText } from './redact.ts';
import type { AuditQuery, AuditStore } from './store.ts';
import { type VerifyResult, verifyChain } from './verify.ts';

export const DEFAULT_MAX_BATCH = 500;
const MAX_CONFLICT_RETRIES = 5;

/** A unique-key violation on the sequence number: SQLite's constraint error or PostgreSQL 23505. */
export function isSequenceConflict(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { code, errcode, message } = error as { code?: unknown; errcode?: unknown; message?: unknown };
  if (code === '23505') return true;
  // node:sqlite: SQLITE_CONSTRAINT_PRIMARYKEY (1555) / SQLITE_CONSTRAINT_UNIQUE (2067).
  if (errcode === 1555 || errcode === 2067) return true;
  return typeof message === 'string' && /UNIQUE constraint failed/.test(message);
}

export interface AuditBatchFailure {
  /** How many events were in the failed batch (all of them were rejected). */
  events: number;
  /** The seq the batch would have started at; the next batch starts there again. */
  firstSeq: number;
}

export interface AuditLogOptions {
  store: AuditStore;
  redactor: Redactor;
  onError?: (error: unknown, failure: AuditBatchFailure) => void;
  /** Largest number of events written in one transaction (default 500). */
  maxBatch?: number;
}

interface Pending {
  event: AuditEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
  settled: Promise<void>;
}

/**
 * The value as plain JSON data with every string value storable (see storableText), deeply: what
 * a JSON.stringify/JSON.parse round trip with a string-fixing replacer gives (`toJSON` applied,
 * `undefined` and functions dropped from objects and nulled in arrays, non-finite numbers null;
 * keys are left alone), without the round trip's text, which cost a sixth of an event's write.
 */
export function storable(value: unknown, key = ''): unknown {
  let current = value;
  if (current !== null && typeof current === 'object') {
    const toJSON = (current as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') current = toJSON.call(current, key);
  }
  switch (typeof current) {
    case 'string':
      return storableText(current);
    case 'number':
      // JSON has no -0 (it reads back as 0) and no NaN or Infinity (null).
      return Number.isFinite(current) ? current + 0 : null;
    case 'boolean':
      return current;
    case 'bigint':
      throw new TypeError('an audit event cannot hold a BigInt');
    case 'object':
      return current === null ? null : storableObject(current);
    default:
      return undefined;
  }
}

function storableObject(value: object): unknown {
  if (value instanceof Number || value instanceof String || value instanceof Boolean)
    return storable(value.valueOf());
  if (Array.isArray(value)) return value.map((item, i) => storable(item, String(i)) ?? null);
  const copy: Record<string, unknown> = {};
  for (const name of Object.keys(value)) {
    const item = storable((value as Record<string, unknown>)[name], name);
    if (item === undefined) continue;
    if (name === '__proto__')
      Object.defineProperty(copy, name, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else copy[name] = item;
  }
  return copy;
}

export class AuditLog {
  readonly #store: AuditStore;
  readonly #redactor: Redactor;
  readonly #onError: AuditLogOptions['onError'];
  readonly #maxBatch: number;
  #head: ChainHead | null;
  #queue: Pending[] = [];
  #inFlight: Pending[] = [];
  #writer: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  #lastFailure: string | null = null;

  private constructor(options: AuditLogOptions, head: ChainHead | null) {
    this.#store = options.store;
    this.#redactor = options.redactor;
    this.#onError = options.onError;
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    if (!Number.isInteger(this.#maxBatch) || this.#maxBatch < 1)
      throw new RangeError('maxBatch must be >= 1');
    this.#head = head;
  }

  /** Initializes the store and continues the chain from its head. */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    await options.store.init();
    return new AuditLog(options, await options.store.head());
  }

  /** Where the chain ends: the last committed record. */
  get head(): ChainHead | null {
    return this.#head;
  }

  /** False while the store refuses writes: the last batch failed and none has succeeded since. */
  get writable(): boolean {
    return this.#lastFailure === null && this.#closing === null;
  }

  /** Events recorded but not yet committed (waiting or being written). */
  get queueDepth(): number {
    return this.#queue.length + this.#inFlight.length;
  }

  /** Redacts and queues the event; resolves once it is committed. */
  record(event: AuditEvent): Promise<void> {
    if (this.#closing) return Promise.reject(new Error('audit log is closed'));
    let prepared: AuditEvent;
    try {
      prepared = this.#prepare(event);
    } catch (error) {
      return Promise.reject(error);
    }
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#queue.push({ event: prepared, resolve, reject, settled: promise.then(noop, noop) });
    this.#startWriter();
    return promise;
  }

  /** Resolves when everything recorded so far has been committed (or has failed). */
  async flush(): Promise<void> {
    await Promise.all([...this.#inFlight, ...this.#queue].map((pending) => pending.settled));
  }

  /** Committed records, newest first: what `gatehouse audit query` reads (the console's audit page). */
  query(filter: AuditQuery): Promise<AuditRecord[]> {
    return this.#store.query(filter);
  }

  /** The committed record at `seq`, if there is one. */
  async recordAt(seq: number): Promise<AuditRecord | undefined> {
    const [found] = await this.#store.page(seq - 1, 1);
    return found?.seq === seq ? found : undefined;
  }

  /** The whole chain checked from the first record, as `gatehouse audit verify` does. */
  verify(): Promise<VerifyResult> {
    return verifyChain(this.#store);
  }

  /** Refuses new events, flushes, then closes the store. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.flush();
      await this.#writer;
      await this.#store.close();
    })();
    return this.#closing;
  }

  #prepare(event: AuditEvent): AuditEvent {
    const message = event.errorMessage;
    const errorMessage = message === null || message === undefined ? null : String(this.#redactor(message));
    const redacted = { ...event, arguments: this.#redactor(event.arguments) ?? null, errorMessage };
    return storable(redacted) as AuditEvent;
  }

  #startWriter(): void {
    if (this.#writer) return;
    // Group commit: starting after the event loop's current I/O phase (setImmediate) lets every
    // record() of the requests that phase handled join one transaction, so under concurrency a
    // commit is shared by many calls instead of one each. It costs a call less than one turn of
    // the loop; answers still wait for their own commit.
    this.#writer = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#drain())
      .finally(() => {
        this.#writer = null;
        if (this.#queue.length > 0) this.#startWriter();
      });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      this.#inFlight = this.#queue.splice(0, this.#maxBatch);
      await this.#commit(this.#inFlight);
      this.#inFlight = [];
    }
  }

  async #commit(batch: readonly Pending[]): Promise<void> {
    const events = batch.map((pending) => pending.event);
    let records: readonly AuditRecord[] = chainRecords(this.#head, events);
    for (let attempt = 1; ; attempt++) {
      try {
        records = await this.#store.append(records);
        break;
      } catch (error) {
        // Another writer (a second replica, or the CLI recording an approval) took these
        // sequence numbers first: nothing of ours landed, so chain again from the new head.
        if (isSequenceConflict(error) && attempt < MAX_CONFLICT_RETRIES) {
          await this.#resyncHead();
          records = chainRecords(this.#head, events);
          continue;
        }
        for (const pending of batch) pending.reject(error);
        this.#lastFailure = error instanceof Error ? error.message : String(error);
        this.#report(error, { events: batch.length, firstSeq: records[0]?.seq ?? 0 });
        await this.#resyncHead();
        return;
      }
    }
    const last = records[records.length - 1];
    if (last) this.#head = { seq: last.seq, hash: last.hash };
    this.#lastFailure = null;
    for (const pending of batch) pending.resolve();
  }

  /** After a failed commit: a commit whose acknowledgement was lost may still have landed. */
  async #resyncHead(): Promise<void> {
    try {
      this.#head = await this.#store.head();
    } catch {
      // Keep the last known head; the next batch retries from there.
    }
  }

  #report(error: unknown, failure: AuditBatchFailure): void {
    try {
      this.#onError?.(error, failure);
    } catch {
      // A throwing error handler must not stop the writer.
    }
  }
}

function noop(): void {}
