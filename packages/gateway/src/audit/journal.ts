/**
 * The audit journal: an append-only file beside the embedded database that acknowledges audit
 * events with one write() each batch, so an answered call does not wait for a SQLite commit
 * through the audit table's indexes. The audit log moves journalled events into the store in
 * large batches shortly after (see audit-log.ts); the store records how far it has taken the
 * journal (its mark: generation and byte offset) in the same transaction as the records, so a
 * restart after a crash replays exactly the events the store does not hold yet.
 *
 * File: a header line `{"gatehouseAuditJournal":1,"database":"<id>","generation":N}` then one
 * line per event, its canonical JSON (what the hash chain covers). A line is acknowledged only
 * once the write that ends it has returned, so a torn last line after a crash was never
 * acknowledged and is dropped. The database id is the store's own (a random id it makes when it
 * creates its tables): a journal left beside a database that was replaced is not replayed into the
 * new one.
 *
 * Rotation: once everything journalled is in the store, the file is replaced (written aside,
 * renamed over) by an empty one of the next generation. A journal whose generation is newer than
 * the store's mark therefore holds only events the store has not seen.
 *
 * Ownership: one process at a time, by a lock file holding its PID and that process's start time
 * (a lock whose process is gone, or whose PID now belongs to another process, is taken over). The gateway holds it while it runs; `gatehouse audit` takes it briefly to replay
 * what a crashed gateway left, and leaves the journal alone while a gateway holds it.
 */
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';

const FORMAT = 1;

/** How far the store has taken the journal: the byte offset after the last event it holds. */
export interface JournalMark {
  generation: number;
  offset: number;
}

/** A store's mark with the store's identity: the database the journal must have been written for. */
export interface StoreJournalMark extends JournalMark {
  database: string;
}

/** What a journal held that its store did not: events to replay, in order, with where each ends. */
export interface JournalBacklog {
  generation: number;
  lines: { json: string; end: number }[];
  /** Why part of the file was dropped (a torn or unreadable tail, a bad header), if it was. */
  dropped: string | null;
  /** Where the file's readable part ends; 0 when the file is to be started afresh. */
  end: number;
}

interface Header {
  database: string;
  generation: number;
}

function headerOf({ database, generation }: Header): string {
  return `${JSON.stringify({ gatehouseAuditJournal: FORMAT, database, generation })}\n`;
}

function parseHeader(line: string): Header | null {
  try {
    const header = JSON.parse(line) as {
      gatehouseAuditJournal?: unknown;
      database?: unknown;
      generation?: unknown;
    };
    const { gatehouseAuditJournal: format, database, generation } = header;
    return format === FORMAT && typeof database === 'string' && Number.isSafeInteger(generation)
      ? { database, generation: generation as number }
      : null;
  } catch {
    return null;
  }
}

/** Journals this process holds, by path (a lock naming our PID is ours only if listed here). */
const heldHere = new Set<string>();

/** When a process started (clock ticks since boot, from /proc), or null where /proc cannot tell. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether the process a lock names still runs. The PID and its start time are both compared, so
 * a PID reused after a restart (a container's gateway is PID 1 every time) is not taken for the
 * holder; without /proc, a live PID counts as the holder.
 */
function holderRuns(lock: string): boolean {
  const [pidText, started] = lock.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false; // not held here (heldHere says), so left by an earlier run
  const now = startTimeOf(pid);
  if (now !== null) return started === undefined || now === started;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock another process has just created and not yet written its PID into (within a second). */
function beingWritten(lock: string, lockPath: string): boolean {
  if (lock.endsWith('\n')) return false;
  try {
    return Date.now() - statSync(lockPath).mtimeMs < 1000;
  } catch {
    return false;
  }
}

/** Takes the lock file for this process, or returns false while a live process holds it. */
function takeLock(path: string): boolean {
  const lockPath = `${path}.lock`;
  if (heldHere.has(path)) return false;
  const content = `${process.pid} ${startTimeOf(process.pid) ?? ''}`.trim();
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lockPath, `${content}\n`, { flag: 'wx', mode: 0o600 });
      heldHere.add(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let lock: string | null = null;
    try {
      lock = readFileSync(lockPath, 'utf8');
    } catch {
      // Removed between the two calls: try again.
    }
    if (lock !== null && (holderRuns(lock) || beingWritten(lock, lockPath))) return false;
    rmSync(lockPath, { force: true }); // its process is gone (or it never named one)
  }
  return false;
}

export class AuditJournal {
  readonly path: string;
  readonly #sync: boolean;
  readonly #database: string;
  #fd: number;
  #generation: number;
  #offset: number;

  private constructor(path: string, sync: boolean, fd: number, header: Header, offset: number) {
    this.path = path;
    this.#sync = sync;
    this.#fd = fd;
    this.#database = header.database;
    this.#generation = header.generation;
    this.#offset = offset;
  }

  /**
   * Takes the journal at `path` for this process and reads what the store (at `mark`) lacks.
   * Null while another live process holds it. The caller commits the backlog before appending
   * (appends continue the same file).
   */
  static open(
    path: string,
    mark: StoreJournalMark,
    options: { sync?: boolean } = {},
  ): { journal: AuditJournal; backlog: JournalBacklog } | null {
    if (!takeLock(path)) return null;
    try {
      const backlog = readBacklog(path, mark);
      const header = { database: mark.database, generation: backlog.generation };
      if (backlog.end === 0) writeFresh(path, header);
      const fd = openSync(path, 'a', 0o600);
      const end = backlog.end === 0 ? Buffer.byteLength(headerOf(header)) : backlog.end;
      // A torn or unreadable tail was never acknowledged: cut it so appends start on a line.
      ftruncateSync(fd, end);
      return { journal: new AuditJournal(path, options.sync === true, fd, header, end), backlog };
    } catch (error) {
      releaseLock(path);
      throw error;
    }
  }

  get generation(): number {
    return this.#generation;
  }

  /** Bytes written so far to this generation's file (its end). */
  get offset(): number {
    return this.#offset;
  }

  /**
   * Appends one line per event (canonical JSON, no newlines) in one write and returns the mark
   * after the last. On failure the file is cut back to where it was, so no torn line is left
   * for the next append to continue.
   */
  append(jsons: readonly string[]): JournalMark {
    const buffer = Buffer.from(`${jsons.join('\n')}\n`, 'utf8');
    try {
      let written = 0;
      while (written < buffer.length) written += writeSync(this.#fd, buffer, written);
      if (this.#sync) fdatasyncSync(this.#fd);
    } catch (error) {
      try {
        ftruncateSync(this.#fd, this.#offset);
      } catch {
        // The next append fails too, and says why.
      }
      throw error;
    }
    this.#offset += buffer.length;
    return { generation: this.#generation, offset: this.#offset };
  }

  /** Replaces the file by an empty one of the next generation; only when the store holds it all. */
  rotate(): void {
    const header = { database: this.#database, generation: this.#generation + 1 };
    writeFresh(this.path, header);
    closeSync(this.#fd);
    this.#fd = openSync(this.path, 'a', 0o600);
    this.#generation = header.generation;
    this.#offset = Buffer.byteLength(headerOf(header));
  }

  /** Closes the file and gives up the lock (the file stays for the next owner). */
  close(): void {
    closeSync(this.#fd);
    releaseLock(this.path);
  }
}

function releaseLock(path: string): void {
  rmSync(`${path}.lock`, { force: true });
  heldHere.delete(path);
}

/** Puts an empty journal with this header at `path`: written aside, then renamed over. */
function writeFresh(path: string, header: Header): void {
  const aside = `${path}.next`;
  writeFileSync(aside, headerOf(header), { mode: 0o600, flush: true });
  renameSync(aside, path);
}

/**
 * The events in the journal file that the store (at `mark`) does not hold. A missing file, one
 * without a readable header, one written for another database or one older than the store's mark
 * holds none: the next generation follows the store's (`end` 0: start the file afresh).
 */
export function readBacklog(path: string, mark: StoreJournalMark): JournalBacklog {
  const fresh = (dropped: string | null): JournalBacklog => ({
    generation: mark.generation + 1,
    lines: [],
    dropped,
    end: 0,
  });
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return fresh(null);
  }
  const firstNewline = bytes.indexOf(0x0a);
  const header = firstNewline < 0 ? null : parseHeader(bytes.subarray(0, firstNewline).toString('utf8'));
  if (header === null) return fresh(bytes.length === 0 ? null : 'the journal has no readable header');
  const headerEnd = firstNewline + 1;
  if (header.database !== mark.database) {
    const events = bytes.length > headerEnd ? ` (${bytes.length - headerEnd} bytes of events)` : '';
    return fresh(events === '' ? null : `the journal was written for another audit database${events}`);
  }
  if (header.generation < mark.generation) {
    return fresh(
      `the journal is of generation ${header.generation}, older than the store's ${mark.generation}`,
    );
  }
  const start = header.generation === mark.generation ? mark.offset : headerEnd;
  if (start > bytes.length) {
    // The file is shorter than what the store already took from it: it was cut or replaced.
    return fresh(`the journal ends at byte ${bytes.length}, before the store's mark at ${start}`);
  }
  return { generation: header.generation, ...linesFrom(bytes, start) };
}

/** Whether the journal at `path` is of the store's database and generation and ends at its mark. */
export function endsAtMark(path: string, mark: StoreJournalMark): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(512);
    const read = readSync(fd, head, 0, head.length, 0);
    const newline = head.subarray(0, read).indexOf(0x0a);
    const header = newline < 0 ? null : parseHeader(head.subarray(0, newline).toString('utf8'));
    return (
      header !== null &&
      header.database === mark.database &&
      header.generation === mark.generation &&
      fstatSync(fd).size === mark.offset
    );
  } finally {
    closeSync(fd);
  }
}

function linesFrom(bytes: Buffer, start: number): Pick<JournalBacklog, 'lines' | 'dropped' | 'end'> {
  const lines: JournalBacklog['lines'] = [];
  let at = start;
  while (at < bytes.length) {
    const newline = bytes.indexOf(0x0a, at);
    if (newline < 0) {
      return { lines, dropped: `a torn last line (${bytes.length - at} bytes, never acknowledged)`, end: at };
    }
    const json = bytes.subarray(at, newline).toString('utf8');
    if (!isJsonObject(json)) return { lines, dropped: `an unreadable line at byte ${at}`, end: at };
    lines.push({ json, end: newline + 1 });
    at = newline + 1;
  }
  return { lines, dropped: null, end: at };
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}
