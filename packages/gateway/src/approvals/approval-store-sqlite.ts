/**
 * The approval queue in the embedded SQLite database (`storage.path`): one gateway process and
 * the CLI beside it. A request is spent in one `BEGIN IMMEDIATE` transaction, so two processes
 * on the file cannot spend one approval twice.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { openEmbeddedDb } from '../storage/embedded-db.ts';
import {
  type ApprovalRequest,
  type ApprovalRow,
  type ApprovalStatus,
  type ApprovalStore,
  type DecideResult,
  INSERT_COLUMNS,
  type InBandResult,
  insertValues,
  type NewApproval,
  newApprovalId,
  pollForDecision,
  type QueueAnswer,
  ROUND_MEMORY_MS,
  toRequest,
} from './approval-store.ts';

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

function createTables(db: DatabaseSync): void {
  db.exec(`CREATE TABLE IF NOT EXISTS approvals (
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
  addBindingColumns(db);
  db.exec(`CREATE TABLE IF NOT EXISTS approval_rounds (
    id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    used_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS approval_rounds_by_time ON approval_rounds (used_at);`);
}

export class SqliteApprovalStore implements ApprovalStore {
  private readonly db: DatabaseSync;
  private readonly byId: StatementSync;
  private readonly latestLive: StatementSync;
  private readonly latestUsed: StatementSync;
  private readonly ttlMs: number;
  private readonly clock: () => number;

  constructor(path: string, options: { ttlSeconds?: number; clock?: () => number } = {}) {
    this.db = openEmbeddedDb(path);
    createTables(this.db);
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

  private getNow(id: string): ApprovalRequest | undefined {
    const row = this.byId.get(id) as unknown as ApprovalRow | undefined;
    return row === undefined ? undefined : toRequest(row, this.clock());
  }

  async get(id: string): Promise<ApprovalRequest | undefined> {
    return this.getNow(id);
  }

  async countPending(): Promise<number> {
    const row = this.db
      .prepare("SELECT COUNT(*) AS n FROM approvals WHERE status = 'pending' AND expires_at > ?")
      .get(this.clock()) as { n: number };
    return Number(row.n);
  }

  async list(options: { status?: ApprovalStatus; limit?: number } = {}): Promise<ApprovalRequest[]> {
    const now = this.clock();
    const rows = this.db
      .prepare('SELECT * FROM approvals ORDER BY created_at DESC, id LIMIT ?')
      .all(options.limit ?? 1000) as unknown as ApprovalRow[];
    const all = rows.map((r) => toRequest(r, now));
    return options.status === undefined ? all : all.filter((r) => r.status === options.status);
  }

  async request(call: NewApproval): Promise<QueueAnswer> {
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
    const live = this.latestLive.get(call.fingerprint, call.policyVersion, now) as unknown as
      | ApprovalRow
      | undefined;
    if (live?.status === 'approved') {
      this.db.prepare("UPDATE approvals SET status = 'used' WHERE id = ?").run(live.id);
      return { kind: 'approved', request: toRequest({ ...live, status: 'used' }, now) };
    }
    if (live?.status === 'pending') return { kind: 'pending', request: toRequest(live, now), created: false };
    if (live?.status === 'denied') return { kind: 'denied', request: toRequest(live, now) };
    const id = newApprovalId();
    this.insert(id, call, { status: 'pending', now, decidedBy: null });
    const row = this.byId.get(id) as unknown as ApprovalRow;
    return { kind: 'pending', request: toRequest(row, now), created: true };
  }

  private insert(
    id: string,
    call: NewApproval,
    state: { status: 'pending' | 'used'; now: number; decidedBy: string | null },
  ): boolean {
    const values = insertValues(id, call, { ...state, ttlMs: this.ttlMs });
    const changed = this.db
      .prepare(
        `INSERT OR IGNORE INTO approvals (${INSERT_COLUMNS}) VALUES (${values.map(() => '?').join(', ')})`,
      )
      .run(...values);
    return Number(changed.changes) === 1;
  }

  async recordInBand(id: string, call: NewApproval, by: string): Promise<InBandResult> {
    const now = this.clock();
    const fresh = this.insert(id, call, { status: 'used', now, decidedBy: by });
    const request = this.getNow(id) as ApprovalRequest;
    return fresh ? { ok: true, request } : { ok: false, request };
  }

  async spendRound(id: string, fingerprint: string): Promise<boolean> {
    const now = this.clock();
    this.db.prepare('DELETE FROM approval_rounds WHERE used_at < ?').run(now - ROUND_MEMORY_MS);
    const changed = this.db
      .prepare('INSERT OR IGNORE INTO approval_rounds (id, fingerprint, used_at) VALUES (?, ?, ?)')
      .run(id, fingerprint, now);
    return Number(changed.changes) === 1;
  }

  async usedApproval(fingerprint: string, policyVersion: string): Promise<ApprovalRequest | undefined> {
    const now = this.clock();
    const row = this.latestUsed.get(fingerprint, policyVersion, now) as unknown as ApprovalRow | undefined;
    return row === undefined ? undefined : toRequest(row, now);
  }

  async decide(
    id: string,
    verdict: 'approve' | 'deny',
    by: string,
    note: string | null = null,
  ): Promise<DecideResult> {
    const now = this.clock();
    const status = verdict === 'approve' ? 'approved' : 'denied';
    const changed = this.db
      .prepare(
        `UPDATE approvals SET status = ?, decided_at = ?, decided_by = ?, note = ?, expires_at = ?
         WHERE id = ? AND status = 'pending' AND expires_at > ?`,
      )
      .run(status, now, by, note, now + this.ttlMs, id, now);
    const request = this.getNow(id);
    if (Number(changed.changes) === 1 && request !== undefined) return { ok: true, request };
    if (request === undefined) return { ok: false, reason: 'not-found' };
    return { ok: false, reason: 'not-pending', request };
  }

  waitForDecision(id: string, ms: number, signal?: AbortSignal): Promise<ApprovalRequest | undefined> {
    return pollForDecision((key) => this.get(key), this.clock, { id, ms, signal });
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
