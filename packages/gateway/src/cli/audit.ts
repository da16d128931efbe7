/** `gatehouse audit tail|query|export|verify|head` — reading the audit log the gateway writes. */
import { parseArgs } from 'node:util';
import { auditJournalPath, auditStore } from '../access.ts';
import type { AuditRecord } from '../audit/event.ts';
import { exportJsonl } from '../audit/export.ts';
import { replayAuditJournal, untilJournalCommitted } from '../audit/journal-replay.ts';
import type { AuditQuery, AuditStore, HeadCheckpoint } from '../audit/store.ts';
import { type ExpectedHead, type VerifyResult, verifyChain } from '../audit/verify.ts';
import type { GatewayModel } from '../config/model.ts';
import { CliUsageError } from './usage.ts';

function line(r: AuditRecord): string {
  const who = r.principal ? `${r.principal.user}[${r.principal.roles.join(',')}]` : '-';
  const rule = r.rule ? ` rule=${r.rule}` : '';
  const code = r.errorCode === null ? '' : ` code=${r.errorCode}`;
  return `#${r.seq} ${r.time} ${who} ${r.transport}/${r.era} ${r.method} ${r.target ?? '-'} ${r.status} ${r.decision}${rule}${code} ${r.latencyMs}ms`;
}

/** `--expect-head`: `<seq>:<hash>` as `audit head` prints it, or the hash alone. */
function parseExpectedHead(text: string): ExpectedHead {
  const match = /^\s*#?(?:(\d+)[:\s]\s*)?([0-9a-fA-F]{64})\s*$/.exec(text);
  if (!match?.[2]) {
    throw new CliUsageError(
      '--expect-head takes the head `gatehouse audit head` printed: <seq>:<64 hex digits>, or the hash alone',
    );
  }
  const hash = match[2].toLowerCase();
  return match[1] === undefined ? { hash } : { seq: Number(match[1]), hash };
}

function report(result: VerifyResult, expectHead: ExpectedHead | undefined): number {
  if (result.ok) {
    const head = result.head;
    const checkpoint =
      result.checkpoint === undefined || result.checkpoint === null
        ? ''
        : `; head checkpoint #${result.checkpoint.seq} (written ${result.checkpoint.time}) reached`;
    const expected = expectHead ? '; expected head found' : '';
    process.stdout.write(
      `audit chain intact: ${result.count} record(s), head #${head?.seq ?? 0} ${head?.hash ?? ''}${checkpoint}${expected}\n`,
    );
    return 0;
  }
  const bad = result.firstBad;
  process.stdout.write(`audit chain BROKEN at record #${bad.seq} (${bad.problem}): ${bad.detail}\n`);
  process.stdout.write(`${result.count} record(s) before it verified\n`);
  return 1;
}

/** `audit head`: the head to record somewhere else, in the form `verify --expect-head` takes. */
async function printHead(store: AuditStore, json: boolean): Promise<number> {
  const head = await store.head();
  const checkpoint: HeadCheckpoint | null = await store.checkpoint();
  if (json) {
    process.stdout.write(`${JSON.stringify({ head, checkpoint })}\n`);
    return head === null ? 1 : 0;
  }
  if (head === null) {
    process.stderr.write('the audit log is empty: no head to record yet\n');
    return 1;
  }
  process.stdout.write(`${head.seq}:${head.hash}\n`);
  return 0;
}

const FILTERS = ['principal', 'method', 'target', 'status', 'decision', 'since', 'until', 'text'] as const;

/** `audit tail|query`: matching records, oldest first, one line (or JSON object) each. */
async function printRecords(
  store: AuditStore,
  command: 'tail' | 'query',
  values: Partial<Record<(typeof FILTERS)[number] | 'n' | 'limit', string>> & { json?: boolean },
): Promise<number> {
  const filter: AuditQuery = { limit: Number(values.n ?? values.limit ?? (command === 'tail' ? 20 : 100)) };
  for (const key of FILTERS) {
    if (values[key] !== undefined) (filter as Record<string, unknown>)[key] = values[key];
  }
  let records: AuditRecord[];
  try {
    records = (await store.query(filter)).reverse();
  } catch (error) {
    // A bad filter (a time that is not ISO-8601, text too long, a bad limit) is the caller's.
    if (error instanceof RangeError) throw new CliUsageError(error.message.replace(/^audit query: /, '--'));
    throw error;
  }
  for (const r of records) process.stdout.write(`${values.json ? JSON.stringify(r) : line(r)}\n`);
  return 0;
}

/**
 * Before reading: what a stopped (or killed) gateway acknowledged on its audit journal but had
 * not committed goes into the store first. While a gateway runs it holds the journal and commits
 * what it journals within about 50 ms: the command waits for that (up to 2 s), so it shows every
 * call answered before it ran.
 */
async function takeInJournal(store: AuditStore): Promise<void> {
  const path = auditJournalPath(store);
  if (path === null) return;
  const replay = await replayAuditJournal(store, path);
  if (replay === null) {
    const left = await untilJournalCommitted(store, path, 2000);
    if (left > 0)
      process.stderr.write(`audit: ${left} record(s) the running gateway journalled are not committed yet\n`);
    return;
  }
  if (replay.replayed > 0)
    process.stderr.write(`audit: committed ${replay.replayed} record(s) the gateway had journalled\n`);
  if (replay.dropped) process.stderr.write(`audit: journal: left out ${replay.dropped}\n`);
}

export async function auditCommand(model: GatewayModel, argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      n: { type: 'string', short: 'n' },
      limit: { type: 'string' },
      principal: { type: 'string' },
      method: { type: 'string' },
      target: { type: 'string' },
      status: { type: 'string' },
      decision: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      text: { type: 'string' },
      jsonl: { type: 'boolean' },
      json: { type: 'boolean' },
      'expect-head': { type: 'string' },
    },
  });
  const store = auditStore(model);
  await store.init();
  try {
    await takeInJournal(store);
    switch (positionals[0]) {
      case 'tail':
      case 'query':
        return await printRecords(store, positionals[0], values);
      case 'export': {
        if (!values.jsonl) throw new CliUsageError('audit export writes JSON lines: pass --jsonl');
        await exportJsonl(store, (l) => {
          process.stdout.write(l.endsWith('\n') ? l : `${l}\n`);
        });
        return 0;
      }
      case 'verify': {
        const expected = values['expect-head'];
        const expectHead = expected === undefined ? undefined : parseExpectedHead(expected);
        return report(await verifyChain(store, expectHead ? { expectHead } : {}), expectHead);
      }
      case 'head':
        return await printHead(store, values.json === true);
      default:
        throw new CliUsageError('audit needs one of: tail, query, export, verify, head');
    }
  } finally {
    await store.close();
  }
}
