/**
 * The audit log's journal side (see audit-log.ts and journal.ts): writes each batch of events to
 * the journal, then takes what is journalled into the store in large batches — about every
 * 50 ms, at once past 256 events, a transaction per `maxBatch` — and starts the journal afresh
 * once it is long and the store holds all of it. A batch the store refuses stays journalled and
 * is retried a second later.
 */
import { canonicalEventJson } from './chain.ts';
import type { AuditEvent } from './event.ts';
import type { AuditJournal, JournalMark } from './journal.ts';

/** How long journalled events wait to be taken into the store together. */
const INGEST_DELAY_MS = 50;
/** Journalled events that are taken in at once, without waiting for the delay. */
const INGEST_AT_ONCE = 256;
/** After a failed take-in, the wait before the next try. */
const INGEST_RETRY_MS = 1000;

export interface JournalIngestOptions {
  journal: AuditJournal;
  /** Most events committed in one transaction. */
  maxBatch: number;
  /** Start the journal afresh once it is longer than this and the store holds it all. */
  rotateBytes: number;
  /** Chains and commits the events, moving the journal mark; rejects when the store refuses. */
  commit: (events: readonly AuditEvent[], jsons: readonly string[], mark: JournalMark) => Promise<void>;
  /** A rotation failed (the journal goes on growing; the next take-in tries again). */
  onRotateError: (error: unknown) => void;
}

/** Events written to the journal together, and the mark after the last of them. */
interface Journalled {
  events: readonly AuditEvent[];
  jsons: string[];
  mark: JournalMark;
}

export class JournalIngest {
  readonly #options: JournalIngestOptions;
  #journalled: Journalled[] = [];
  #pending = 0;
  #running: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #failure: string | null = null;
  #stopped = false;

  constructor(options: JournalIngestOptions) {
    this.#options = options;
  }

  /** Events journalled and not yet committed. */
  get pending(): number {
    return this.#pending;
  }

  /** Why the last take-in failed, until one succeeds. */
  get failure(): string | null {
    return this.#failure;
  }

  /** Writes the events to the journal in one write (durable once it returns); throws if it fails. */
  write(events: readonly AuditEvent[]): void {
    const jsons = events.map(canonicalEventJson);
    const mark = this.#options.journal.append(jsons);
    this.#journalled.push({ events, jsons, mark });
    this.#pending += events.length;
    this.#schedule();
  }

  /** Commits everything journalled so far (best effort: a refusal leaves it journalled). */
  async catchUp(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    await this.#running;
    if (this.#journalled.length > 0) await this.#run();
  }

  /** Stops taking in (after the take-in under way) and closes the journal; what is left stays in it. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
    if (this.#timer) clearTimeout(this.#timer);
    this.#options.journal.close();
  }

  #schedule(): void {
    if (this.#stopped || this.#running !== null || this.#timer !== null || this.#journalled.length === 0)
      return;
    const delay =
      this.#failure !== null ? INGEST_RETRY_MS : this.#pending >= INGEST_AT_ONCE ? 0 : INGEST_DELAY_MS;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#run();
    }, delay);
    this.#timer.unref();
  }

  /** One take-in at a time, which every caller shares. */
  #run(): Promise<void> {
    if (this.#running) return this.#running;
    const run = this.#takeAll().finally(() => {
      this.#running = null;
      this.#schedule();
    });
    this.#running = run;
    return run;
  }

  /** A transaction per batch until none is left, or one fails (it stays, to be retried). */
  async #takeAll(): Promise<void> {
    while (this.#journalled.length > 0) {
      const taken = this.#oldest();
      const events = taken.flatMap((write) => write.events);
      const last = taken[taken.length - 1] as Journalled;
      try {
        await this.#options.commit(
          events,
          taken.flatMap((write) => write.jsons),
          last.mark,
        );
      } catch (error) {
        this.#failure = error instanceof Error ? error.message : String(error);
        return;
      }
      this.#failure = null;
      this.#journalled.splice(0, taken.length);
      this.#pending -= events.length;
      // A commit holds the event loop (node:sqlite is synchronous): let waiting I/O run between
      // two batches rather than after all of them.
      if (this.#journalled.length > 0) await new Promise((resolve) => setImmediate(resolve));
    }
    this.#rotateWhenLong();
  }

  /** The oldest journal writes, up to about maxBatch events (whole writes: marks fall between). */
  #oldest(): Journalled[] {
    let count = 0;
    let writes = 0;
    for (const write of this.#journalled) {
      if (writes > 0 && count + write.events.length > this.#options.maxBatch) break;
      count += write.events.length;
      writes += 1;
    }
    return this.#journalled.slice(0, writes);
  }

  #rotateWhenLong(): void {
    const { journal, rotateBytes } = this.#options;
    if (this.#journalled.length > 0 || journal.offset < rotateBytes) return;
    try {
      journal.rotate();
    } catch (error) {
      this.#options.onRotateError(error);
    }
  }
}
