/**
 * The approval queue: what every store of it shares. It is kept where the CLI (another process)
 * and every gateway replica see the same requests: the embedded SQLite database for one process
 * (approval-store-sqlite.ts), the shared PostgreSQL of `storage.postgres` for replicas
 * (approval-store-pg.ts); open-approval-store.ts picks one. A request is identified by its fingerprint — who
 * calls, what, with which arguments — so asking again for the same call finds the same request
 * instead of queueing a duplicate, and an approval can only be spent on exactly the call that
 * was approved, once.
 *
 * Lifecycle: pending → approved → used, or pending → denied; pending and approved requests
 * expire `ttlSeconds` after they were made or approved. A denial stands (identical calls are
 * refused with it) until it expires too, so a refused request cannot be re-queued at once.
 * An approval the calling user gave in band is recorded as used at once, under the id the
 * question carried, so the same answer presented again is recognised as a replay.
 *
 * Each request is bound to the exact call: the caller, the target, the SHA-256 of the
 * arguments, the policy version it was asked under, and its expiry. Only a call with the same
 * fingerprint under the same policy version finds it.
 */
import { randomBytes } from 'node:crypto';

/** How long a spent round id is remembered (requestState lives minutes). */
export const ROUND_MEMORY_MS = 24 * 3600 * 1000;

/** A new approval request's id (also the id an in-band question carries). */
export function newApprovalId(): string {
  return `apr_${randomBytes(9).toString('base64url')}`;
}

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'used' | 'expired';

export interface ApprovalRequest {
  id: string;
  fingerprint: string;
  status: ApprovalStatus;
  principal: { id: string; user: string; roles: string[] };
  method: string;
  /** Exposed tool or prompt name, or resource URI. */
  target: string;
  upstream: string | null;
  /** The arguments as an approver sees them (redacted). */
  arguments: unknown;
  /** SHA-256 (hex) of the real arguments' canonical JSON. */
  argumentsHash: string | null;
  /** The policy version the request was made under (approval-call.ts policyVersion). */
  policyVersion: string | null;
  /** The rule that asked for the approval, or `annotation:destructiveHint`. */
  rule: string | null;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  note: string | null;
}

export interface NewApproval {
  fingerprint: string;
  principal: { id: string; user: string; roles: readonly string[] };
  method: string;
  target: string;
  upstream: string | null;
  arguments: unknown;
  argumentsHash: string;
  policyVersion: string;
  rule: string | null;
}

/** What the queue says about a call that needs approval. */
export type QueueAnswer =
  | { kind: 'approved'; request: ApprovalRequest }
  | { kind: 'pending'; request: ApprovalRequest; created: boolean }
  | { kind: 'denied'; request: ApprovalRequest };

export type DecideResult =
  | { ok: true; request: ApprovalRequest }
  | { ok: false; reason: 'not-found' | 'not-pending'; request?: ApprovalRequest };

/** Recording an in-band approval: refused when that approval was recorded (used) before. */
export type InBandResult = { ok: true; request: ApprovalRequest } | { ok: false; request: ApprovalRequest };

/** A stored request, the same columns in both databases (times in epoch milliseconds). */
export interface ApprovalRow {
  id: string;
  fingerprint: string;
  status: string;
  principal_id: string;
  user: string;
  roles: string;
  method: string;
  target: string;
  upstream: string | null;
  arguments: string | null;
  args_hash: string | null;
  policy_version: string | null;
  rule: string | null;
  created_at: number | string;
  expires_at: number | string;
  decided_at: number | string | null;
  decided_by: string | null;
  note: string | null;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function toRequest(row: ApprovalRow, now: number): ApprovalRequest {
  const live = row.status === 'pending' || row.status === 'approved';
  // PostgreSQL returns BIGINT as text.
  const expiresAt = Number(row.expires_at);
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    status: live && expiresAt <= now ? 'expired' : (row.status as ApprovalStatus),
    principal: { id: row.principal_id, user: row.user, roles: JSON.parse(row.roles) as string[] },
    method: row.method,
    target: row.target,
    upstream: row.upstream,
    arguments: row.arguments === null ? null : (JSON.parse(row.arguments) as unknown),
    argumentsHash: row.args_hash,
    policyVersion: row.policy_version,
    rule: row.rule,
    createdAt: iso(Number(row.created_at)),
    expiresAt: iso(expiresAt),
    decidedAt: row.decided_at === null ? null : iso(Number(row.decided_at)),
    decidedBy: row.decided_by,
    note: row.note,
  };
}

/** The columns a new request is inserted with, in this order (both databases). */
export const INSERT_COLUMNS = `id, fingerprint, status, principal_id, "user", roles, method, target, upstream,
  arguments, args_hash, policy_version, rule, created_at, expires_at, decided_at, decided_by`;

/** The values of INSERT_COLUMNS for a new request: pending, or used at once (in band). */
export function insertValues(
  id: string,
  call: NewApproval,
  state: { status: 'pending' | 'used'; now: number; ttlMs: number; decidedBy: string | null },
): (string | number | null)[] {
  const { now, decidedBy } = state;
  return [
    id,
    call.fingerprint,
    state.status,
    call.principal.id,
    call.principal.user,
    JSON.stringify(call.principal.roles),
    call.method,
    call.target,
    call.upstream,
    call.arguments === undefined ? null : JSON.stringify(call.arguments),
    call.argumentsHash,
    call.policyVersion,
    call.rule,
    now,
    now + state.ttlMs,
    decidedBy === null ? null : now,
    decidedBy,
  ];
}

/**
 * The approval queue, wherever it is kept. Every method may fail with StoreUnavailable
 * (storage/unavailable.ts) when the database cannot be reached.
 */
export interface ApprovalStore {
  get(id: string): Promise<ApprovalRequest | undefined>;
  /** Requests waiting for a decision (not expired). */
  countPending(): Promise<number>;
  /** Newest first; `status` filters on the effective status (expiry applied). */
  list(options?: { status?: ApprovalStatus; limit?: number }): Promise<ApprovalRequest[]>;
  /**
   * The queue's answer for a call: spend a standing approval, report a pending request or a
   * denial, or queue a new request — in one transaction, so two replicas or two concurrent
   * identical calls cannot spend one approval twice.
   */
  request(call: NewApproval): Promise<QueueAnswer>;
  /**
   * Records an approval the calling user gave in band, under the id its question carried, as
   * used at once. The same id again is a replay: refused, with the record of its first use.
   */
  recordInBand(id: string, call: NewApproval, by: string): Promise<InBandResult>;
  /**
   * Spends one round of an approved exchange: true the first time, false when the round was
   * answered before (a replay). Spent rounds are kept ROUND_MEMORY_MS.
   */
  spendRound(id: string, fingerprint: string): Promise<boolean>;
  /** The unexpired approval an identical call already used (an idempotent repeat's replay). */
  usedApproval(fingerprint: string, policyVersion: string): Promise<ApprovalRequest | undefined>;
  /**
   * Approves or denies a pending, unexpired request. Either decision stands for `ttlSeconds`
   * from now: an approval must be spent within it, a denial refuses identical calls during it.
   */
  decide(id: string, verdict: 'approve' | 'deny', by: string, note?: string | null): Promise<DecideResult>;
  /**
   * Resolves when the request is decided (or expires), polling the store so a decision made by
   * another process or replica is seen; resolves with the last state when `ms` pass or `signal`
   * aborts.
   */
  waitForDecision(id: string, ms: number, signal?: AbortSignal): Promise<ApprovalRequest | undefined>;
  close(): Promise<void>;
}

/** How often a waiting call reads the store for a decision. */
export const DECISION_POLL_MS = 250;

/** waitForDecision on any store's `get`, polling every DECISION_POLL_MS. */
export async function pollForDecision(
  get: (id: string) => Promise<ApprovalRequest | undefined>,
  clock: () => number,
  wait: { id: string; ms: number; signal?: AbortSignal | undefined },
): Promise<ApprovalRequest | undefined> {
  const { id, signal } = wait;
  const deadline = clock() + wait.ms;
  for (;;) {
    const request = await get(id);
    if (request === undefined || request.status !== 'pending') return request;
    const left = deadline - clock();
    if (left <= 0 || signal?.aborted) return request;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, Math.min(DECISION_POLL_MS, left));
      function finish() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        resolve();
      }
      signal?.addEventListener('abort', finish, { once: true });
    });
  }
}
