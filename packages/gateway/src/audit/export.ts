/**
 * Export: streams stored records as JSON lines in seq order, page by page, for archiving the log
 * elsewhere (which also anchors its head — see verify.ts) or loading it into other tools. Each
 * line is one record in canonical JSON (sorted keys) and ends with `\n`.
 */
import { type ChainHead, canonicalJson } from './chain.ts';
import type { AuditRecord } from './event.ts';
import type { AuditStore } from './store.ts';

export interface ExportOptions {
  /** Export only records after this seq (default 0: everything). */
  afterSeq?: number;
  /** Records read per page (default 1000). */
  pageSize?: number;
}

export interface ExportResult {
  count: number;
  /** The last exported record, to anchor or to resume from (`afterSeq`). */
  head: ChainHead | null;
}

export async function exportJsonl(
  store: Pick<AuditStore, 'page'>,
  write: (line: string) => void | Promise<void>,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const pageSize = options.pageSize ?? 1000;
  let afterSeq = options.afterSeq ?? 0;
  let count = 0;
  let head: ChainHead | null = null;
  for (;;) {
    const page = await store.page(afterSeq, pageSize);
    for (const record of page) {
      await write(`${canonicalJson(record)}\n`);
      head = { seq: record.seq, hash: record.hash };
      count += 1;
    }
    const last = page[page.length - 1];
    if (!last || page.length < pageSize || last.seq <= afterSeq) break;
    afterSeq = last.seq;
  }
  return { count, head };
}

/** Reads exported lines back into records (blank lines are skipped). */
export function parseJsonl(text: string): AuditRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditRecord);
}

/** Serves records (e.g. an export read back) to verifyChain or exportJsonl, as a store would. */
export function pagesOf(records: readonly AuditRecord[]): Pick<AuditStore, 'page'> {
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  return {
    page: async (afterSeq, limit) => sorted.filter((record) => record.seq > afterSeq).slice(0, limit),
  };
}
