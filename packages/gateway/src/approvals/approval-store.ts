/**
 * The approval queue, kept in the embedded SQLite database so the CLI (another process) and the
 * running gateway see the same requests. A request is identified by its fingerprint — who
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
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { openEmbeddedDb } from '../storage/embedded-db.ts';

/** How long a spent round id is remembered (requestState lives minutes). */
const ROUND_MEMORY_MS = 24 * 3600 * 1000;

/** A new approval request's id (also the id an in-band question carries). */
export function newApprovalId(): string {
  return `apr_${randomBytes(9).toString('base64url')}`;
}

/** Databases made before approvals were bound to the arguments' hash and the policy version. */
function addBindingColumns(db: DatabaseSync): void {
  const columns = new Set(
    (db.prepare('PRAGMA table_info(approvals)').all() as { name: string }[]).map((c) => c.name),
  );
  for (const column of ['args_hash', 'policy_version']) {
    if (columns.has(column)) continue;
    try {
      db.exec(`ALTER TABLE approvals ADD COLUMN ${column} TEXT`);
    } catch (error) {
      // Another process (the gateway, the CLI) added it first.
      if (!String((error as Error).message).includes('duplicate column name')) throw error;
    }
  }
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

interface Row {
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
  created_at: number;
  expires_at: number;
  decided_at: number | null;
  decided_by: string | null;
  note: string | null;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function toRequest(row: Row, now: number): ApprovalRequest {
  const live = row.status === 'pending' || row.status === 'approved';
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    status: live && row.expires_at <= now ? 'expired' : (row.status as ApprovalStatus),
    principal: { id: row.principal_id, user: row.user, roles: JSON.parse(row.roles) as string[] },
    method: row.method,
    target: row.target,
    upstream: row.upstream,
    arguments: row.arguments === null ? null : (JSON.parse(row.arguments) as unknown),
    argumentsHash: row.args_hash,
    policyVersion: row.policy_version,
    rule: row.rule,
    createdAt: iso(row.created_at),
    expiresAt: iso(row.expires_at),
    decidedAt: row.decided_at === null ? null : iso(row.decided_at),
    decidedBy: row.decided_by,
    note: row.note,
  };
}

export class ApprovalStore {
  private readonly db: DatabaseSync;
  private readonly byId: StatementSync;
  private readonly latestLive: StatementSync;
  private readonly latestUsed: StatementSync;
  private readonly ttlMs: number;
  private readonly clock: () => number;

  constructor(path: string, options: { ttlSeconds?: number; clock?: () => number } = {}) {
    this.db = openEmbeddedDb(path);
    this.db.exec(`CREATE TABLE IF NOT EXISTS approvals (
      id TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      status TEXT NOT NULL,
      principal_id TEXT NOT NULL,
      user TEXT NOT NULL,
      roles TEXT NOT NULL,
      method TEXT NOT NULL,
      target TEXT NOT NULL,
      upstream TEXT,
      arguments TEXT,
      rule TEXT,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      decided_at INTEGER,
      decided_by TEXT,
      note TEXT
    );
    CREATE INDEX IF NOT EXISTS approvals_by_fingerprint ON approvals (fingerprint, created_at);
    CREATE INDEX IF NOT EXISTS approvals_by_status ON approvals (status, expires_at);`);
    addBindingColumns(this.db);
    this.db.exec(`CREATE TABLE IF NOT EXISTS approval_rounds (
      id TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      used_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS approval_rounds_by_time ON approval_rounds (used_at);`);
    this.byId = this.db.prepare('SELECT * FROM approvals WHERE id = ?');
    this.latestLive = this.db.prepare(
      `SELECT * FROM approvals WHERE fingerprint = ? AND policy_version = ?
       AND status IN ('pending', 'approved', 'denied') AND expires_at > ? ORDER BY created_at DESC LIMIT 1`,
    );
    this.latestUsed = this.db.prepare(
      `SELECT * FROM approvals WHERE fingerprint = ? AND policy_version = ? AND status = 'used'
       AND expires_at > ? ORDER BY decided_at DESC LIMIT 1`,
    );
    this.ttlMs = (options.ttlSeconds ?? 3600) * 1000;
    this.clock = options.clock ?? Date.now;
  }

  get(id: string): ApprovalRequest | undefined {
    const row = this.byId.get(id) as unknown as Row | undefined;
    return row === undefined ? undefined : toRequest(row, this.clock());
  }

  /** Requests waiting for a decision (not expired). */
  countPending(): number {
    const row = this.db
      .prepare("SELECT COUNT(*) AS n FROM approvals WHERE status = 'pending' AND expires_at > ?")
      .get(this.clock()) as { n: number };
    return Number(row.n);
  }

  /** Newest first; `status` filters on the effective status (expiry applied). */
  list(options: { status?: ApprovalStatus; limit?: number } = {}): ApprovalRequest[] {
    const now = this.clock();
    const rows = this.db
      .prepare('SELECT * FROM approvals ORDER BY created_at DESC, id LIMIT ?')
      .all(options.limit ?? 1000) as unknown as Row[];
    const all = rows.map((r) => toRequest(r, now));
    return options.status === undefined ? all : all.filter((r) => r.status === options.status);
  }

  /**
   * The queue's answer for a call: spend a standing approval, report a pending request or a
   * denial, or queue a new request. Runs in one transaction so two replicas or two concurrent
   * identical calls cannot spend one approval twice.
   */
  request(call: NewApproval): QueueAnswer {
    const now = this.clock();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const answer = this.requestInTransaction(call, now);
      this.db.exec('COMMIT');
      return answer;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  private requestInTransaction(call: NewApproval, now: number): QueueAnswer {
    const live = this.latestLive.get(call.fingerprint, call.policyVersion, now) as unknown as Row | undefined;
    if (live?.status === 'approved') {
      this.db.prepare("UPDATE approvals SET status = 'used' WHERE id = ?").run(live.id);
      return { kind: 'approved', request: toRequest({ ...live, status: 'used' }, now) };
    }
    if (live?.status === 'pending') return { kind: 'pending', request: toRequest(live, now), created: false };
    if (live?.status === 'denied') return { kind: 'denied', request: toRequest(live, now) };
    const id = newApprovalId();
    this.insert(id, call, { status: 'pending', now, decidedBy: null });
    const row = this.byId.get(id) as unknown as Row;
    return { kind: 'pending', request: toRequest(row, now), created: true };
  }

  private insert(
    id: string,
    call: NewApproval,
    state: { status: 'pending' | 'used'; now: number; decidedBy: string | null },
  ): boolean {
    const { now, decidedBy } = state;
    const changed = this.db
      .prepare(
        `INSERT OR IGNORE INTO approvals (id, fingerprint, status, principal_id, user, roles, method,
         target, upstream, arguments, args_hash, policy_version, rule, created_at, expires_at,
         decided_at, decided_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
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
        now + this.ttlMs,
        decidedBy === null ? null : now,
        decidedBy,
      );
    return Number(changed.changes) === 1;
  }

  /**
   * Records an approval the calling user gave in band, under the id its question carried, as
   * used at once (the call goes ahead now). The same id again is a replay: refused, with the
   * record of its first use.
   */
  recordInBand(id: string, call: NewApproval, by: string): InBandResult {
    const now = this.clock();
    const fresh = this.insert(id, call, { status: 'used', now, decidedBy: by });
    const request = this.get(id) as ApprovalRequest;
    return fresh ? { ok: true, request } : { ok: false, request };
  }

  /**
   * Spends one round of an approved exchange (its id from the round's requestState): true the
   * first time, false when the round was answered before — a replay. Spent rounds are kept a
   * day, far longer than any requestState lives.
   */
  spendRound(id: string, fingerprint: string): boolean {
    const now = this.clock();
    this.db.prepare('DELETE FROM approval_rounds WHERE used_at < ?').run(now - ROUND_MEMORY_MS);
    const changed = this.db
      .prepare('INSERT OR IGNORE INTO approval_rounds (id, fingerprint, used_at) VALUES (?, ?, ?)')
      .run(id, fingerprint, now);
    return Number(changed.changes) === 1;
  }

  /**
   * The approval an identical call (same fingerprint, same policy version) already used and
   * that has not expired — what lets an idempotent repeat through as a replay.
   */
  usedApproval(fingerprint: string, policyVersion: string): ApprovalRequest | undefined {
    const now = this.clock();
    const row = this.latestUsed.get(fingerprint, policyVersion, now) as unknown as Row | undefined;
    return row === undefined ? undefined : toRequest(row, now);
  }

  /**
   * Approves or denies a pending, unexpired request. Either decision stands for `ttlSeconds`
   * from now: an approval must be spent within it, a denial refuses identical calls during it.
   */
  decide(id: string, verdict: 'approve' | 'deny', by: string, note: string | null = null): DecideResult {
    const now = this.clock();
    const status = verdict === 'approve' ? 'approved' : 'denied';
    const changed = this.db
      .prepare(
        `UPDATE approvals SET status = ?, decided_at = ?, decided_by = ?, note = ?, expires_at = ?
         WHERE id = ? AND status = 'pending' AND expires_at > ?`,
      )
      .run(status, now, by, note, now + this.ttlMs, id, now);
    const request = this.get(id);
    if (Number(changed.changes) === 1 && request !== undefined) return { ok: true, request };
    if (request === undefined) return { ok: false, reason: 'not-found' };
    return { ok: false, reason: 'not-pending', request };
  }

  /**
   * Resolves when the request is decided (or expires), polling the database so decisions made
   * by another process are seen; resolves with the last state when `ms` pass or `signal` aborts.
   */
  async waitForDecision(id: string, ms: number, signal?: AbortSignal): Promise<ApprovalRequest | undefined> {
    const deadline = this.clock() + ms;
    for (;;) {
      const request = this.get(id);
      if (request === undefined || request.status !== 'pending') return request;
      const left = deadline - this.clock();
      if (left <= 0 || signal?.aborted) return request;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, Math.min(250, left));
        function finish() {
          clearTimeout(timer);
          signal?.removeEventListener('abort', finish);
          resolve();
        }
        signal?.addEventListener('abort', finish, { once: true });
      });
    }
  }

  close(): void {
    this.db.close();
  }
}
