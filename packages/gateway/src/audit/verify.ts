/**
 * Chain verification: walks every stored record in seq order, page by page, and reports the first
 * record that does not fit — a gap (`missing`), a seq that goes backwards (`out-of-order`), a
 * prevHash that is not the previous record's hash (`broken-link`), a hash that does not match
 * the record's content (`altered`) — or a chain that stops short of its head (`truncated`).
 *
 * The chain cannot show by itself that its newest records were removed (the shorter chain is
 * still valid). Two anchors can: the store's head checkpoint (seq and hash of the last record,
 * kept in a table of its own and moved in the same transaction as every append), read before the
 * walk, and a head recorded elsewhere (`expectHead`: an export, another system's log, a ticket),
 * which also catches someone who rewrote the checkpoint or rebuilt the table with fresh hashes.
 * The chain must reach both, with the same hash at that seq.
 */
import { type ChainHead, GENESIS_HASH, hashEvent } from './chain.ts';
import type { AuditRecord } from './event.ts';
import { type AuditStore, columnMismatch, type HeadCheckpoint } from './store.ts';

export type ChainProblem = 'altered' | 'missing' | 'broken-link' | 'out-of-order' | 'truncated';

export interface ChainFailure {
  seq: number;
  problem: ChainProblem;
  detail: string;
}

export type VerifyResult =
  | { ok: true; count: number; head: ChainHead | null; checkpoint?: HeadCheckpoint | null }
  | { ok: false; count: number; firstBad: ChainFailure };

/** A head recorded elsewhere; without seq, the record with this hash is looked for. */
export interface ExpectedHead {
  seq?: number;
  hash: string;
}

export interface VerifyOptions {
  /** Records read per page (default 1000). */
  pageSize?: number;
  /** A head anchored elsewhere: the chain must contain this record, with this hash. */
  expectHead?: ExpectedHead;
}

export const DEFAULT_VERIFY_PAGE_SIZE = 1000;

/** What verification reads: pages, and the head checkpoint when the source keeps one. */
export type VerifiableStore = Pick<AuditStore, 'page'> & Partial<Pick<AuditStore, 'checkpoint'>>;

/** An anchor the chain must reach: where it came from, for the messages. */
interface Anchor extends ExpectedHead {
  name: string;
  /** When the anchor was written, when known. */
  written?: string;
}

function describeAnchor(anchor: Anchor): string {
  const seq = anchor.seq === undefined ? '' : ` #${anchor.seq}`;
  const written = anchor.written === undefined ? '' : ` (written ${anchor.written})`;
  return `${anchor.name}${seq} ${anchor.hash}${written}`;
}

/** The first thing wrong with `record` as the successor of `previous`, or null when it fits. */
function checkRecord(record: AuditRecord, previous: ChainHead | null): ChainFailure | null {
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
  return null;
}

/** A record at an anchor's seq whose hash is not the anchor's: the chain was rebuilt from there. */
function checkAnchors(record: AuditRecord, anchors: readonly Anchor[]): ChainFailure | null {
  for (const anchor of anchors) {
    if (anchor.seq === record.seq && anchor.hash !== record.hash) {
      return {
        seq: record.seq,
        problem: 'altered',
        detail:
          `record ${record.seq} has hash ${record.hash}, not that of the ${describeAnchor(anchor)}: ` +
          'the chain was rewritten from here on or before',
      };
    }
  }
  return null;
}

/** The anchor the chain did not reach, as a failure; null when it reached every one. */
function unreached(
  anchors: readonly Anchor[],
  head: ChainHead | null,
  seen: ReadonlySet<string>,
): ChainFailure | null {
  const lastSeq = head?.seq ?? 0;
  const after = lastSeq === 0 ? 'from the start' : `after #${lastSeq}`;
  for (const anchor of anchors) {
    if (anchor.seq !== undefined && anchor.seq > lastSeq) {
      const missing = anchor.seq - lastSeq;
      return {
        seq: lastSeq + 1,
        problem: 'truncated',
        detail: `${missing} record${missing === 1 ? '' : 's'} ${after} missing; ${describeAnchor(anchor)}`,
      };
    }
    if (anchor.seq === undefined && !seen.has(anchor.hash)) {
      return {
        seq: lastSeq + 1,
        problem: 'truncated',
        detail:
          `the ${anchor.name} ${anchor.hash} is not on the chain, which ends at #${lastSeq} ` +
          `${head?.hash ?? GENESIS_HASH}: records after it were deleted, or the chain was rewritten`,
      };
    }
  }
  return null;
}

/** The anchors to check: the store's checkpoint (read before the walk) and the expected head. */
async function anchorsOf(
  store: VerifiableStore,
  options: VerifyOptions,
): Promise<{ anchors: Anchor[]; checkpoint: HeadCheckpoint | null | undefined }> {
  const checkpoint = store.checkpoint ? await store.checkpoint() : undefined;
  const anchors: Anchor[] = [];
  if (checkpoint) {
    anchors.push({
      seq: checkpoint.seq,
      hash: checkpoint.hash,
      name: 'head checkpoint',
      written: checkpoint.time,
    });
  }
  if (options.expectHead) anchors.push({ ...options.expectHead, name: 'expected head' });
  return { anchors, checkpoint };
}

export async function verifyChain(
  store: VerifiableStore,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? DEFAULT_VERIFY_PAGE_SIZE;
  const { anchors, checkpoint } = await anchorsOf(store, options);
  const hashOnly = anchors.filter((a) => a.seq === undefined).map((a) => a.hash);
  const seen = new Set<string>();
  let count = 0;
  let previous: ChainHead | null = null;
  for (;;) {
    const page = await store.page(previous?.seq ?? 0, pageSize);
    for (const record of page) {
      const firstBad = checkRecord(record, previous) ?? checkAnchors(record, anchors);
      if (firstBad) return { ok: false, count, firstBad };
      if (hashOnly.includes(record.hash)) seen.add(record.hash);
      previous = { seq: record.seq, hash: record.hash };
      count += 1;
    }
    if (page.length < pageSize) break;
  }
  if (checkpoint === null && count > 0) {
    const detail =
      'the head checkpoint is gone (its row was deleted), so deleted newest records cannot be ruled out; ' +
      'check against a head recorded elsewhere with --expect-head';
    return { ok: false, count, firstBad: { seq: count + 1, problem: 'truncated', detail } };
  }
  const firstBad = unreached(anchors, previous, seen);
  if (firstBad) return { ok: false, count, firstBad };
  return checkpoint === undefined
    ? { ok: true, count, head: previous }
    : { ok: true, count, head: previous, checkpoint };
}
