/**
 * The approval queue in the shared PostgreSQL of `storage.postgres`, so every replica (and the
 * CLI) sees one queue: a call queued through one replica can be approved through another, and a
 * call waiting on this replica is released by a decision made anywhere (waitForDecision polls).
 *
 * Spending is exactly-once across replicas: the queue's answer for a call runs in one
 * transaction holding an advisory lock on the call's fingerprint (so two replicas can neither
 * spend one approval twice nor queue two requests for one call), and the spend itself is an
 * `UPDATE … WHERE status = 'approved'` that only one transaction can win. In-band approvals and
 * rounds are spent with `INSERT … ON CONFLICT DO NOTHING`. When the database cannot be reached,
 * every method fails with StoreUnavailable and the next call tries again.
 */
import type pg from 'pg';
import type { SharedPostgres } from '../storage/postgres.ts';
import { reachable } from '../storage/unavailable.ts';
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

const TABLE = 'gatehouse_approvals';
const ROUNDS = 'gatehouse_approval_rounds';
const WHAT = 'The approval queue (shared PostgreSQL)';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ${TABLE} (
    id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    "user" TEXT NOT NULL,
    roles TEXT NOT NULL,
    method TEXT NOT NULL,
    target TEXT NOT NULL,
    upstream TEXT,
    arguments TEXT,
    args_hash TEXT,
    policy_version TEXT,
    rule TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT,
    note TEXT
  )`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_by_fingerprint ON ${TABLE} (fingerprint, created_at)`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_by_status ON ${TABLE} (status, expires_at)`,
  `CREATE TABLE IF NOT EXISTS ${ROUNDS} (
    id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    used_at BIGINT NOT NULL
  )`,
  `CREATE INDEX IF NOT EXISTS ${ROUNDS}_by_time ON ${ROUNDS} (used_at)`,
];

const PLACEHOLDERS = Array.from({ length: 17 }, (_, i) => `$${i + 1}`).join(', ');

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export class PgApprovalStore implements ApprovalStore {
  private readonly shared: SharedPostgres;
  private readonly ttlMs: number;
  private readonly clock: () => number;

  constructor(shared: SharedPostgres, options: { ttlSeconds?: number; clock?: () => number } = {}) {
    this.shared = shared;
    this.ttlMs = (options.ttlSeconds ?? 3600) * 1000;
    this.clock = options.clock ?? Date.now;
  }

  /** Runs `work` once the tables exist; a failure to reach the database is StoreUnavailable. */
  private run<T>(work: () => Promise<T>): Promise<T> {
    return reachable(WHAT, async () => {
      await this.shared.migrate(TABLE, SCHEMA);
      return work();
    });
  }

  private async rows(db: Queryable, sql: string, values: unknown[]): Promise<ApprovalRow[]> {
    return (await db.query<ApprovalRow>(sql, values)).rows;
  }

  private async byId(db: Queryable, id: string): Promise<ApprovalRow | undefined> {
    return (await this.rows(db, `SELECT * FROM ${TABLE} WHERE id = $1`, [id]))[0];
  }

  get(id: string): Promise<ApprovalRequest | undefined> {
    return this.run(async () => {
      const row = await this.byId(this.shared.pool, id);
      return row === undefined ? undefined : toRequest(row, this.clock());
    });
  }

  countPending(): Promise<number> {
    return this.run(async () => {
      const result = await this.shared.pool.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM ${TABLE} WHERE status = 'pending' AND expires_at > $1`,
        [this.clock()],
      );
      return Number(result.rows[0]?.n ?? 0);
    });
  }

  list(options: { status?: ApprovalStatus; limit?: number } = {}): Promise<ApprovalRequest[]> {
    return this.run(async () => {
      const now = this.clock();
      const rows = await this.rows(
        this.shared.pool,
        `SELECT * FROM ${TABLE} ORDER BY created_at DESC, id LIMIT $1`,
        [options.limit ?? 1000],
      );
      const all = rows.map((r) => toRequest(r, now));
      return options.status === undefined ? all : all.filter((r) => r.status === options.status);
    });
  }

  request(call: NewApproval): Promise<QueueAnswer> {
    return this.run(() =>
      this.shared.transaction(async (client) => {
        const now = this.clock();
        // One answer at a time per call, across every replica.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `gatehouse-approval:${call.fingerprint}`,
        ]);
        const [live] = await this.rows(
          client,
          `SELECT * FROM ${TABLE} WHERE fingerprint = $1 AND policy_version = $2
           AND status IN ('pending', 'approved', 'denied') AND expires_at > $3
           ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE`,
          [call.fingerprint, call.policyVersion, now],
        );
        if (live?.status === 'approved') {
          const spent = await this.rows(
            client,
            `UPDATE ${TABLE} SET status = 'used' WHERE id = $1 AND status = 'approved' RETURNING *`,
            [live.id],
          );
          const row = spent[0];
          if (row !== undefined) return { kind: 'approved', request: toRequest(row, now) };
        }
        if (live?.status === 'pending')
          return { kind: 'pending', request: toRequest(live, now), created: false };
        if (live?.status === 'denied') return { kind: 'denied', request: toRequest(live, now) };
        const id = newApprovalId();
        const values = insertValues(id, call, { status: 'pending', now, ttlMs: this.ttlMs, decidedBy: null });
        const [row] = await this.rows(
          client,
          `INSERT INTO ${TABLE} (${INSERT_COLUMNS}) VALUES (${PLACEHOLDERS}) RETURNING *`,
          values,
        );
        return { kind: 'pending', request: toRequest(row as ApprovalRow, now), created: true };
      }),
    );
  }

  recordInBand(id: string, call: NewApproval, by: string): Promise<InBandResult> {
    return this.run(async () => {
      const now = this.clock();
      const values = insertValues(id, call, { status: 'used', now, ttlMs: this.ttlMs, decidedBy: by });
      const inserted = await this.shared.pool.query(
        `INSERT INTO ${TABLE} (${INSERT_COLUMNS}) VALUES (${PLACEHOLDERS}) ON CONFLICT (id) DO NOTHING`,
        values,
      );
      const request = toRequest((await this.byId(this.shared.pool, id)) as ApprovalRow, now);
      return inserted.rowCount === 1 ? { ok: true, request } : { ok: false, request };
    });
  }

  spendRound(id: string, fingerprint: string): Promise<boolean> {
    return this.run(async () => {
      const now = this.clock();
      await this.shared.pool.query(`DELETE FROM ${ROUNDS} WHERE used_at < $1`, [now - ROUND_MEMORY_MS]);
      const inserted = await this.shared.pool.query(
        `INSERT INTO ${ROUNDS} (id, fingerprint, used_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
        [id, fingerprint, now],
      );
      return inserted.rowCount === 1;
    });
  }

  usedApproval(fingerprint: string, policyVersion: string): Promise<ApprovalRequest | undefined> {
    return this.run(async () => {
      const now = this.clock();
      const [row] = await this.rows(
        this.shared.pool,
        `SELECT * FROM ${TABLE} WHERE fingerprint = $1 AND policy_version = $2 AND status = 'used'
         AND expires_at > $3 ORDER BY decided_at DESC LIMIT 1`,
        [fingerprint, policyVersion, now],
      );
      return row === undefined ? undefined : toRequest(row, now);
    });
  }

  decide(
    id: string,
    verdict: 'approve' | 'deny',
    by: string,
    note: string | null = null,
  ): Promise<DecideResult> {
    return this.run(async () => {
      const now = this.clock();
      const status = verdict === 'approve' ? 'approved' : 'denied';
      const [decided] = await this.rows(
        this.shared.pool,
        `UPDATE ${TABLE} SET status = $1, decided_at = $2, decided_by = $3, note = $4, expires_at = $5
         WHERE id = $6 AND status = 'pending' AND expires_at > $2 RETURNING *`,
        [status, now, by, note, now + this.ttlMs, id],
      );
      if (decided !== undefined) return { ok: true, request: toRequest(decided, now) };
      const current = await this.byId(this.shared.pool, id);
      if (current === undefined) return { ok: false, reason: 'not-found' };
      return { ok: false, reason: 'not-pending', request: toRequest(current, now) };
    });
  }

  waitForDecision(id: string, ms: number, signal?: AbortSignal): Promise<ApprovalRequest | undefined> {
    return pollForDecision((key) => this.get(key), this.clock, { id, ms, signal });
  }

  /** The shared pool belongs to whoever opened it (access.ts, the CLI). */
  async close(): Promise<void> {}
}
