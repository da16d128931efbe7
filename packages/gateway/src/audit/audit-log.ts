/**
 * The audit log: redacts each event, places it on the hash chain and commits it to a store, with
 * group commit — events recorded while a write is in progress go together in the next batch.
 * `record()` resolves only once its record is durable, so a caller that awaits it knows the
 * record survives a crash of the gateway process.
 *
 * Durable means one of two things. Without a journal, committed to the store. With one (the
 * gateway on its embedded SQLite store; see journal.ts), written to the journal file in one
 * write(): the log then takes journalled events into the store in large batches a few tens of
 * milliseconds later, moving the journal's mark in the same transaction, and a restart replays
 * whatever a crash left in the journal alone. Reads through the log (query, verify) take in what
 * is journalled first, so they see every acknowledged record.
 *
 * Chain positions (seq, prevHash, hash) are assigned when a batch is committed to the store, in
 * the order the events were recorded. A batch that fails to commit does not advance the chain:
 * the next batch starts from the same place (the head is re-read from the store when possible,
 * in case the failed commit did in fact land). Without a journal its callers are rejected; with
 * one, its events stay journalled and are retried. The log never logs; it reports failures
 * through `onError`.
 */
import type { ChainHead } from './chain.ts';
import type { AuditEvent, AuditRecord } from './event.ts';
import { AuditJournal, type JournalMark } from './journal.ts';
import { JournalIngest } from './journal-ingest.ts';
import { appendChained, type JournalReplay, replayBacklog } from './journal-replay.ts';
import type { Redactor } from './redact.ts';
import { storable } from './storable.ts';
import type { AuditQuery, AuditStore } from './store.ts';
import { type VerifyResult, verifyChain } from './verify.ts';

export { isSequenceConflict } from './journal-replay.ts';
export { storable } from './storable.ts';

export const DEFAULT_MAX_BATCH = 500;
/** A journal longer than this is started afresh once the store holds all of it. */
export const DEFAULT_ROTATE_BYTES = 8 * 1024 * 1024;

export interface AuditBatchFailure {
  /** How many events were in the failed batch. */
  events: number;
  /** The seq the batch would have started at; the next batch starts there again. */
  firstSeq: number;
}

export interface AuditJournalOptions {
  /** The journal file; `<path>.lock` beside it says which process holds it. */
  path: string;
  /** fdatasync after every journal write (off: a write survives the process, like the store). */
  sync?: boolean;
  /** Start the file afresh once it is longer than this and the store holds it all (8 MiB). */
  rotateBytes?: number;
  /**
   * Called once at open: what was replayed from a previous run, or null when another live
   * process holds the journal (this log then commits every batch to the store itself).
   */
  onOpen?: (replay: JournalReplay | null) => void;
}

export interface AuditLogOptions {
  store: AuditStore;
  redactor: Redactor;
  onError?: (error: unknown, failure: AuditBatchFailure) => void;
  /** Largest number of events written in one transaction (default 500). */
  maxBatch?: number;
  /** Acknowledge on a journal file; for a store with `journalMark` (SQLite), otherwise ignored. */
  journal?: AuditJournalOptions;
}

interface Pending {
  event: AuditEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
  settled: Promise<void>;
}

export class AuditLog {
  readonly #store: AuditStore;
  readonly #redactor: Redactor;
  readonly #onError: AuditLogOptions['onError'];
  readonly #maxBatch: number;
  /** With a journal: what writes to it and takes it into the store. */
  readonly #journal: JournalIngest | null;
  #head: ChainHead | null;
  #queue: Pending[] = [];
  #inFlight: Pending[] = [];
  #writer: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  /** Why the last write (commit, or journal write) failed, until one succeeds. */
  #writeFailure: string | null = null;

  private constructor(options: AuditLogOptions, head: ChainHead | null, journal: AuditJournal | null) {
    this.#store = options.store;
    this.#redactor = options.redactor;
    this.#onError = options.onError;
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.#head = head;
    this.#journal =
      journal === null
        ? null
        : new JournalIngest({
            journal,
            maxBatch: this.#maxBatch,
            rotateBytes: options.journal?.rotateBytes ?? DEFAULT_ROTATE_BYTES,
            commit: (events, jsons, mark) => this.#commit(events, jsons, mark),
            onRotateError: (error) =>
              this.#report(error, { events: 0, firstSeq: (this.#head?.seq ?? 0) + 1 }),
          });
  }

  /**
   * Initializes the store and continues the chain from its head. With a journal, first commits
   * what a previous run journalled and did not commit (and fails to open if that fails).
   */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError('maxBatch must be >= 1');
    const { store, journal: journalOptions } = options;
    await store.init();
    if (!journalOptions || !store.journalMark) return new AuditLog(options, await store.head(), null);
    const opened = AuditJournal.open(journalOptions.path, await store.journalMark(), {
      sync: journalOptions.sync === true,
    });
    if (opened === null) {
      journalOptions.onOpen?.(null);
      return new AuditLog(options, await store.head(), null);
    }
    try {
      const head = await replayBacklog(store, opened.backlog, maxBatch);
      journalOptions.onOpen?.({ replayed: opened.backlog.lines.length, dropped: opened.backlog.dropped });
      return new AuditLog(options, head, opened.journal);
    } catch (error) {
      opened.journal.close();
      throw error;
    }
  }

  /** Where the chain ends: the last committed record. */
  get head(): ChainHead | null {
    return this.#head;
  }

  /** False while writes fail (the last one failed and none has succeeded since), and once closing. */
  get writable(): boolean {
    return this.#writeFailure === null && (this.#journal?.failure ?? null) === null && this.#closing === null;
  }

  /** Events recorded but not yet committed to the store (waiting, being written, or journalled). */
  get queueDepth(): number {
    return this.#queue.length + this.#inFlight.length + (this.#journal?.pending ?? 0);
  }

  /** Redacts and queues the event; resolves once it is durable (committed, or journalled). */
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

  /** Resolves when everything recorded so far is committed to the store (or has failed). */
  async flush(): Promise<void> {
    await Promise.all([...this.#inFlight, ...this.#queue].map((pending) => pending.settled));
    await this.#catchUp();
  }

  /** Committed records, newest first: what `gatehouse audit query` reads (the console's audit page). */
  async query(filter: AuditQuery): Promise<AuditRecord[]> {
    await this.#catchUp();
    return this.#store.query(filter);
  }

  /** The committed record at `seq`, if there is one. */
  async recordAt(seq: number): Promise<AuditRecord | undefined> {
    await this.#catchUp();
    const [found] = await this.#store.page(seq - 1, 1);
    return found?.seq === seq ? found : undefined;
  }

  /** The whole chain checked from the first record, as `gatehouse audit verify` does. */
  async verify(): Promise<VerifyResult> {
    await this.#catchUp();
    return verifyChain(this.#store);
  }

  /** Refuses new events, commits what is recorded, then closes the journal and the store. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.flush();
      await this.#writer;
      // Whatever could not be committed stays in the journal for the next open.
      await this.#journal?.stop();
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
    // record() of the requests that phase handled join one write, so under concurrency a write
    // is shared by many calls instead of one each. It costs a call less than one turn of the
    // loop; answers still wait for their own write.
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
      if (this.#journal) this.#writeJournal(this.#journal, this.#inFlight);
      else await this.#commitBatch(this.#inFlight);
      this.#inFlight = [];
    }
  }

  /** Without a journal: commits the batch, and answers its callers with the outcome. */
  async #commitBatch(batch: readonly Pending[]): Promise<void> {
    try {
      await this.#commit(batch.map((pending) => pending.event));
      this.#writeFailure = null;
    } catch (error) {
      this.#writeFailure = messageOf(error);
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const pending of batch) pending.resolve();
  }

  /** With one: writes the batch to the journal, answers its callers, and has it taken in soon. */
  #writeJournal(journal: JournalIngest, batch: readonly Pending[]): void {
    try {
      journal.write(batch.map((pending) => pending.event));
    } catch (error) {
      this.#writeFailure = messageOf(error);
      this.#report(error, { events: batch.length, firstSeq: (this.#head?.seq ?? 0) + 1 });
      for (const pending of batch) pending.reject(error);
      return;
    }
    this.#writeFailure = null;
    for (const pending of batch) pending.resolve();
  }

  /** Before a read: what is journalled goes into the store (best effort; failures are reported). */
  async #catchUp(): Promise<void> {
    await this.#journal?.catchUp();
  }

  /** Chains and commits the events; moves the head, or reports and rethrows the failure. */
  async #commit(
    events: readonly AuditEvent[],
    jsons?: readonly string[],
    journalled?: JournalMark,
  ): Promise<void> {
    const firstSeq = (this.#head?.seq ?? 0) + 1;
    let records: readonly AuditRecord[];
    try {
      records = await appendChained(this.#store, this.#head, events, {
        ...(jsons ? { jsons } : {}),
        ...(journalled ? { journalled } : {}),
        resync: async () => {
          await this.#resyncHead();
          return this.#head;
        },
      });
    } catch (error) {
      this.#report(error, { events: events.length, firstSeq });
      await this.#resyncHead();
      throw error;
    }
    const last = records[records.length - 1];
    if (last) this.#head = { seq: last.seq, hash: last.hash };
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function noop(): void {}
