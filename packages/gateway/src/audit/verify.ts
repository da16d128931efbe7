/**
 * Chain verification: walks every stored record in seq order, page by page, and reports the first
 * record that does not fit — a gap (`missing`), a seq that goes backwards (`out-of-order`), a
 * prevHash that is not the previous record's hash (`broken-link`), or a hash that does not match
 * the record's content (`altered`).
 *
 * What the chain cannot show by itself: removing the newest records (the shorter chain is still
 * valid), or rewriting the whole table from some point on with freshly computed hashes (anyone
 * with write access can do that). Both are caught by keeping the head (seq and hash) somewhere
 * the writer cannot change — an export, another system's log, a signed timestamp — and checking
 * that the chain still reaches it: see `expectHead`.
 */
import { type ChainHead, GENESIS_HASH, hashEvent } from './chain.ts';
import type { AuditRecord } from './event.ts';
import { type AuditStore, columnMismatch } from './store.ts';

export type ChainProblem = 'altered' | 'missing' | 'broken-link' | 'out-of-order';

export interface ChainFailure {
  seq: number;
  problem: ChainProblem;
  detail: string;
}

export type VerifyResult =
  | { ok: true; count: number; head: ChainHead | null }
  | { ok: false; count: number; firstBad: ChainFailure };

export interface VerifyOptions {
  /** Records read per page (default 1000). */
  pageSize?: number;
  /** A head anchored elsewhere: the chain must contain this record, with this hash. */
  expectHead?: ChainHead;
}

export const DEFAULT_VERIFY_PAGE_SIZE = 1000;

/** The first thing wrong with `record` as the successor of `previous`, or null when it fits. */
function checkRecord(
  record: AuditRecord,
  previous: ChainHead | null,
  anchor?: ChainHead,
): ChainFailure | null {
  const expectedSeq = (previous?.seq ?? 0) + 1;
  const expectedPrev = previous?.hash ?? GENESIS_HASH;
  const { seq } = record;
  if (seq < expectedSeq) {
    return { seq, problem: 'out-of-order', detail: `record ${seq} came after record ${expectedSeq - 1}` };
  }
  if (seq > expectedSeq) {
    const absent = seq - 1 > expectedSeq ? `records ${expectedSeq}–${seq - 1} are` : 'it is';
    return {
      seq: expectedSeq,
      problem: 'missing',
      detail: `record ${expectedSeq} is missing (${absent} absent before record ${seq})`,
    };
  }
  if (record.prevHash !== expectedPrev) {
    return {
      seq,
      problem: 'broken-link',
      detail:
        `prevHash of record ${seq} (${record.prevHash}) is not the hash of record ${seq - 1} ` +
        `(${expectedPrev}): one of the two was changed`,
    };
  }
  if (hashEvent(record.prevHash, seq, record) !== record.hash) {
    return { seq, problem: 'altered', detail: `record ${seq} does not match its hash (${record.hash})` };
  }
  const mismatch = columnMismatch(record);
  if (mismatch) return { seq, problem: 'altered', detail: `record ${seq} was changed: ${mismatch}` };
  if (seq === anchor?.seq && record.hash !== anchor.hash) {
    return { seq, problem: 'altered', detail: `record ${seq} is not the anchored head (${anchor.hash})` };
  }
  return null;
}

export async function verifyChain(
  store: Pick<AuditStore, 'page'>,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? DEFAULT_VERIFY_PAGE_SIZE;
  let count = 0;
  let previous: ChainHead | null = null;
  for (;;) {
    const page = await store.page(previous?.seq ?? 0, pageSize);
    for (const record of page) {
      const firstBad = checkRecord(record, previous, options.expectHead);
      if (firstBad) return { ok: false, count, firstBad };
      previous = { seq: record.seq, hash: record.hash };
      count += 1;
    }
    if (page.length < pageSize) break;
  }
  const lastSeq = previous?.seq ?? 0;
  if (options.expectHead && options.expectHead.seq > lastSeq) {
    const detail = `the chain ends at record ${lastSeq} but the anchored head is record ${options.expectHead.seq}`;
    return { ok: false, count, firstBad: { seq: lastSeq + 1, problem: 'missing', detail } };
  }
  return { ok: true, count, head: previous };
}
