/**
 * Realistic audit records for bench/console-audit.ts, made fast: a seeded generator of gateway
 * events (a few hundred users with a skewed share of the traffic, tools across five upstreams,
 * mostly allowed calls with some denials and errors, arguments with ids, free text and redacted
 * values as the redactor leaves them), spread evenly over the days before `end`, chained with the
 * log's own chainRecords and written through the store's own append in large batches — the same
 * write path the AuditLog uses (one transaction per batch, the head checkpoint moved with it, the
 * store's indexes filled as in production), without the group commit's per-event promises.
 */
import { chainRecords } from '../../packages/gateway/src/audit/chain.ts';
import type { AuditEvent, AuditStatus } from '../../packages/gateway/src/audit/event.ts';
import type { AuditStore } from '../../packages/gateway/src/audit/store.ts';

/** mulberry32: a small seeded PRNG, so every run writes the same records. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['alice', 'bob', 'carol', 'dana', 'erik', 'fatima', 'gus', 'hana', 'ivan', 'jules'];
const LAST = ['ng', 'ortiz', 'patel', 'quinn', 'rossi', 'sato', 'tran', 'ueda', 'vance', 'weber'];
const ROLES = ['sales', 'support', 'sre', 'finance', 'admin'];
/** 300 users; user k has a share of the traffic proportional to 1/(k+1) (Zipf-like). */
export const USERS = Array.from({ length: 300 }, (_, k) => ({
  user: `${FIRST[k % 10]}.${LAST[Math.floor(k / 10) % 10]}${k >= 100 ? Math.floor(k / 100) : ''}`,
  role: ROLES[k % ROLES.length] as string,
}));
const USER_WEIGHTS = (() => {
  const cumulative: number[] = [];
  let total = 0;
  for (let k = 0; k < USERS.length; k++) {
    total += 1 / (k + 1);
    cumulative.push(total);
  }
  return cumulative.map((c) => c / total);
})();

const WORDS = [
  'renewal',
  'refund',
  'outage',
  'invoice',
  'upgrade',
  'churn',
  'latency',
  'contract',
  'onboarding',
];
type Args = (n: number, pick: <T>(xs: readonly T[]) => T) => unknown;
const TOOLS: readonly { target: string; upstream: string; args: Args }[] = [
  {
    target: 'crm_get_deal',
    upstream: 'crm',
    args: (n) => ({ deal_id: `D-${n}`, include: ['owner', 'stage'] }),
  },
  {
    target: 'crm_search_deals',
    upstream: 'crm',
    args: (n, pick) => ({ query: `${pick(WORDS)} ${pick(WORDS)}`, limit: 20 + (n % 5) * 10 }),
  },
  {
    target: 'crm_update_deal',
    upstream: 'crm',
    args: (n, pick) => ({
      deal_id: `D-${n}`,
      stage: pick(['won', 'lost', 'negotiation']),
      note: `${pick(WORDS)} call with [REDACTED:email]`,
    }),
  },
  { target: 'billing_get_invoice', upstream: 'billing', args: (n) => ({ invoice_id: `INV-${n}` }) },
  {
    target: 'billing_refund',
    upstream: 'billing',
    args: (n) => ({ invoice_id: `INV-${n}`, amount: (n % 500) + 0.99, card: '[REDACTED:card]' }),
  },
  { target: 'support_get_ticket', upstream: 'support', args: (n) => ({ ticket_id: `T-${n}` }) },
  {
    target: 'support_reply',
    upstream: 'support',
    args: (n, pick) => ({
      ticket_id: `T-${n}`,
      body: `About your ${pick(WORDS)}: we are on it. [REDACTED:phone]`,
    }),
  },
  { target: 'lantern_get_incident', upstream: 'lantern', args: (n) => ({ id: `INC-${n % 20_000}` }) },
  {
    target: 'lantern_search_incidents',
    upstream: 'lantern',
    args: (_n, pick) => ({ text: `${pick(WORDS)} in ${pick(['eu-west', 'us-east', 'ap-south'])}` }),
  },
  { target: 'kb_search_docs', upstream: 'kb', args: (_n, pick) => ({ query: `how to ${pick(WORDS)}` }) },
];

function statusOf(r: number): AuditStatus {
  if (r < 0.86) return 'ok';
  if (r < 0.92) return 'denied';
  if (r < 0.96) return 'tool_error';
  if (r < 0.985) return 'error';
  if (r < 0.995) return 'awaiting_approval';
  return 'input_required';
}

export interface RecordSpan {
  count: number;
  /** The last record's time; the first is `days` before it. */
  end: number;
  days: number;
}

/** The i-th event (0-based) of `span`. */
export function makeEvent(i: number, span: RecordSpan, next: () => number): AuditEvent {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const u = next();
  const who = USERS[USER_WEIGHTS.findIndex((c) => c >= u)] ?? USERS[0];
  const start = span.end - span.days * 86_400_000;
  const time = new Date(start + Math.floor(((span.end - start) * i) / Math.max(1, span.count - 1)));
  const method = next() < 0.9 ? 'tools/call' : 'tools/list';
  const tool = pick(TOOLS);
  const status = method === 'tools/list' ? 'ok' : statusOf(next());
  const failed = status === 'error' || status === 'denied';
  return {
    time: time.toISOString(),
    requestId: `req-${i}`,
    traceId: null,
    principal: who
      ? { id: `key:${who.user}`, user: who.user, org: 'acme', roles: [who.role], via: 'api-key' }
      : null,
    transport: 'http',
    era: i % 3 === 0 ? 'legacy' : 'modern',
    sessionId: null,
    method,
    target: method === 'tools/call' ? tool.target : null,
    upstream: method === 'tools/call' ? tool.upstream : null,
    arguments: method === 'tools/call' ? tool.args(100_000 + Math.floor(next() * 900_000), pick) : null,
    decision: status === 'denied' ? 'deny' : 'allow',
    rule: `role:${who?.role}/group:${tool.upstream}/${status === 'denied' ? 'deny' : 'allow'}[0]`,
    status,
    errorCode: failed ? (status === 'denied' ? -32051 : -32603) : null,
    errorMessage: failed ? `${status === 'denied' ? 'denied by policy' : 'upstream failed'}` : null,
    latencyMs: Math.round(next() * 2000) / 10,
    resultBytes: status === 'ok' ? 200 + Math.floor(next() * 5000) : null,
    resultHash: status === 'ok' ? 'ab'.repeat(32) : null,
    approvedBy: null,
  };
}

/**
 * Writes `span.count` records through `store.append`, `batch` per transaction; returns ms taken.
 * (The store's free-text index is filled after the appends, as in a gateway — see indexAll.)
 */
export async function fillStore(store: AuditStore, span: RecordSpan, batch = 10_000): Promise<number> {
  const started = performance.now();
  const next = random(18);
  let head = await store.head();
  if (head !== null) throw new Error('fillStore needs an empty audit store');
  for (let first = 0; first < span.count; first += batch) {
    const events: AuditEvent[] = [];
    for (let i = first; i < Math.min(span.count, first + batch); i++) events.push(makeEvent(i, span, next));
    const records = chainRecords(head, events);
    await store.append(records);
    const last = records.at(-1);
    head = last ? { seq: last.seq, hash: last.hash } : head;
  }
  return performance.now() - started;
}

/** Brings the store's free-text index up to date (a text search does), as a gateway's background
 * indexing has once it is quiet; returns ms taken. */
export async function indexAll(store: AuditStore): Promise<number> {
  const started = performance.now();
  await store.query({ text: 'anything', limit: 1 });
  return performance.now() - started;
}
