/**
 * Tool pins in the shared PostgreSQL (`storage.postgres`) every replica and the CLI use, on the
 * process's one pool (SharedPostgres). The rules hold with replicas writing at once:
 * - a first-seen tool is pinned once: INSERT … ON CONFLICT DO NOTHING keeps the first pin;
 * - a change is recorded once: the upsert writes only a hash not already pending (the second
 *   replica waits on the first's row, then finds the same hash and writes nothing), and only
 *   against the pin the admission saw;
 * - an approval locks the pending change (SELECT … FOR UPDATE): of two approvals of one change,
 *   the second finds none;
 * - an event is claimed by one writer at a time: UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
 *   LOCKED) RETURNING, so concurrent claims never return the same event; the claim is a lease
 *   (`claimed_until`), so the event of a writer that died before confirming is claimed again.
 * The store does not own the pool: close() leaves it to whoever opened it.
 */
import type pg from 'pg';
import type { SharedPostgres } from '../storage/postgres.ts';
import type { Admission } from './admit.ts';
import {
  type ApproveOptions,
  approvedEvent,
  CLAIM_LEASE_MS,
  changedEvent,
  changeFromRow,
  eventFromRow,
  eventValues,
  hasWrites,
  isReviewed,
  leaseEnd,
  oldestFirst,
  type PendingChange,
  type PinEvent,
  type PinInfo,
  type PinSnapshot,
  type PinStore,
  pinFromRow,
  type Row,
  snapshotOf,
} from './store.ts';

const PINS = 'gatehouse_tool_pins';
const CHANGES = 'gatehouse_tool_pin_changes';
const EVENTS = 'gatehouse_tool_pin_events';
const STATE = 'gatehouse_tool_pin_state';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ${PINS} (
    upstream TEXT NOT NULL,
    tool TEXT NOT NULL,
    hash TEXT NOT NULL,
    definition TEXT NOT NULL,
    pinned_at TEXT NOT NULL,
    approved_by TEXT,
    PRIMARY KEY (upstream, tool)
  )`,
  `CREATE TABLE IF NOT EXISTS ${CHANGES} (
    upstream TEXT NOT NULL,
    tool TEXT NOT NULL,
    pinned_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    definition TEXT NOT NULL,
    fields TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (upstream, tool)
  )`,
  `CREATE TABLE IF NOT EXISTS ${EVENTS} (
    id BIGSERIAL PRIMARY KEY,
    time TEXT NOT NULL,
    kind TEXT NOT NULL,
    upstream TEXT NOT NULL,
    tool TEXT NOT NULL,
    old_hash TEXT,
    new_hash TEXT NOT NULL,
    actor TEXT,
    via TEXT,
    detail TEXT NOT NULL,
    audited_at TEXT,
    claimed_until TEXT
  )`,
  // Tables made before claims had leases.
  `ALTER TABLE ${EVENTS} ADD COLUMN IF NOT EXISTS claimed_until TEXT`,
  `CREATE INDEX IF NOT EXISTS ${EVENTS}_unaudited ON ${EVENTS} (id) WHERE audited_at IS NULL`,
  `CREATE TABLE IF NOT EXISTS ${STATE} (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)`,
  `INSERT INTO ${STATE} (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`,
];

type Queryable = Pick<pg.PoolClient, 'query'>;

export class PgPinStore implements PinStore {
  readonly where = 'the shared PostgreSQL (storage.postgres)';
  readonly sharedByReplicas = true;
  private readonly shared: SharedPostgres;

  constructor(shared: SharedPostgres) {
    this.shared = shared;
  }

  async version(): Promise<number> {
    await this.ready();
    return this.versionOf(this.shared.pool);
  }

  async snapshot(): Promise<PinSnapshot> {
    await this.ready();
    // The version first: rows read after it are at least as new, so a change between the two
    // reads shows as a newer version at the next poll, never as a missed one.
    const version = await this.versionOf(this.shared.pool);
    const pins = await this.rows(`SELECT upstream, tool, hash, definition FROM ${PINS}`);
    const changes = await this.rows(`SELECT upstream, tool, hash FROM ${CHANGES}`);
    return snapshotOf(version, pins, changes);
  }

  async record(upstream: string, admission: Admission, onChange: string): Promise<boolean> {
    if (!hasWrites(admission)) return false;
    await this.ready();
    return this.shared.transaction(async (client) => {
      const now = new Date().toISOString();
      let writes = 0;
      for (const p of admission.pin) {
        const run = await client.query(
          `INSERT INTO ${PINS} (upstream, tool, hash, definition, pinned_at, approved_by)
           VALUES ($1, $2, $3, $4, $5, NULL) ON CONFLICT (upstream, tool) DO NOTHING`,
          [upstream, p.tool, p.hash, JSON.stringify(p.definition), now],
        );
        writes += run.rowCount ?? 0;
      }
      for (const c of admission.changed) {
        const run = await client.query(
          `INSERT INTO ${CHANGES} AS c (upstream, tool, pinned_hash, hash, definition, fields, first_seen)
           SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS
             (SELECT 1 FROM ${PINS} WHERE upstream = $1 AND tool = $2 AND hash = $3)
           ON CONFLICT (upstream, tool) DO UPDATE SET pinned_hash = EXCLUDED.pinned_hash,
             hash = EXCLUDED.hash, definition = EXCLUDED.definition, fields = EXCLUDED.fields,
             first_seen = EXCLUDED.first_seen
           WHERE c.hash <> EXCLUDED.hash`,
          [
            upstream,
            c.tool,
            c.pinnedHash,
            c.hash,
            JSON.stringify(c.definition),
            JSON.stringify(c.fields),
            now,
          ],
        );
        if ((run.rowCount ?? 0) === 0) continue;
        writes++;
        await this.addEvent(client, changedEvent({ ...c, upstream }, onChange, now));
      }
      for (const tool of admission.reverted) {
        const run = await client.query(`DELETE FROM ${CHANGES} WHERE upstream = $1 AND tool = $2`, [
          upstream,
          tool,
        ]);
        writes += run.rowCount ?? 0;
      }
      if (writes > 0) await this.bump(client);
      return writes > 0;
    });
  }

  async pins(): Promise<PinInfo[]> {
    await this.ready();
    return (await this.rows(`SELECT * FROM ${PINS} ORDER BY upstream, tool`)).map(pinFromRow);
  }

  async pin(upstream: string, tool: string): Promise<PinInfo | undefined> {
    await this.ready();
    return this.pinOf(this.shared.pool, upstream, tool);
  }

  async pending(): Promise<PendingChange[]> {
    await this.ready();
    return (await this.rows(`SELECT * FROM ${CHANGES} ORDER BY first_seen, upstream, tool`)).map(
      changeFromRow,
    );
  }

  async pendingChange(upstream: string, tool: string): Promise<PendingChange | undefined> {
    await this.ready();
    const [row] = await this.rows(`SELECT * FROM ${CHANGES} WHERE upstream = $1 AND tool = $2`, [
      upstream,
      tool,
    ]);
    return row === undefined ? undefined : changeFromRow(row);
  }

  async approve(
    upstream: string,
    tool: string,
    by: string,
    options: ApproveOptions = {},
  ): Promise<PinInfo | undefined> {
    await this.ready();
    return this.shared.transaction(async (client) => {
      const locked = await client.query(
        `SELECT * FROM ${CHANGES} WHERE upstream = $1 AND tool = $2 FOR UPDATE`,
        [upstream, tool],
      );
      const row = locked.rows[0] as Row | undefined;
      const change = row === undefined ? undefined : changeFromRow(row);
      if (change === undefined || !isReviewed(change, options)) return undefined;
      const now = new Date().toISOString();
      const previous = await this.pinOf(client, upstream, tool);
      await client.query(
        `INSERT INTO ${PINS} (upstream, tool, hash, definition, pinned_at, approved_by)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (upstream, tool) DO UPDATE SET hash = EXCLUDED.hash,
         definition = EXCLUDED.definition, pinned_at = EXCLUDED.pinned_at, approved_by = EXCLUDED.approved_by`,
        [upstream, tool, change.hash, JSON.stringify(change.definition), now, by],
      );
      await client.query(`DELETE FROM ${CHANGES} WHERE upstream = $1 AND tool = $2`, [upstream, tool]);
      await this.addEvent(client, approvedEvent(change, previous?.hash, by, options, now));
      await this.bump(client);
      return this.pinOf(client, upstream, tool);
    });
  }

  async unaudited(limit = 100): Promise<PinEvent[]> {
    await this.ready();
    const rows = await this.rows(`SELECT * FROM ${EVENTS} WHERE audited_at IS NULL ORDER BY id LIMIT $1`, [
      limit,
    ]);
    return rows.map(eventFromRow);
  }

  async claim(limit = 100, leaseMs = CLAIM_LEASE_MS): Promise<PinEvent[]> {
    await this.ready();
    const now = new Date();
    const rows = await this.rows(
      `UPDATE ${EVENTS} SET claimed_until = $1 WHERE id IN
         (SELECT id FROM ${EVENTS} WHERE audited_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $2)
          ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [leaseEnd(now, leaseMs), now.toISOString(), limit],
    );
    return oldestFirst(rows.map(eventFromRow));
  }

  async confirm(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.ready();
    await this.shared.pool.query(
      `UPDATE ${EVENTS} SET audited_at = $1, claimed_until = NULL WHERE id = ANY($2::bigint[])`,
      [new Date().toISOString(), [...ids]],
    );
  }

  async release(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.ready();
    await this.shared.pool.query(
      `UPDATE ${EVENTS} SET claimed_until = NULL WHERE id = ANY($1::bigint[]) AND audited_at IS NULL`,
      [[...ids]],
    );
  }

  async events(): Promise<PinEvent[]> {
    await this.ready();
    return (await this.rows(`SELECT * FROM ${EVENTS} ORDER BY id`)).map(eventFromRow);
  }

  async close(): Promise<void> {
    // The pool is the process's (SharedPostgres): its opener closes it.
  }

  /** The tables, created once per process (and once across replicas starting together). */
  private ready(): Promise<void> {
    return this.shared.migrate('tool-pins', SCHEMA);
  }

  private async rows(sql: string, values: unknown[] = []): Promise<Row[]> {
    return (await this.shared.pool.query(sql, values)).rows as Row[];
  }

  private async versionOf(db: Queryable): Promise<number> {
    const result = await db.query(`SELECT version FROM ${STATE} WHERE id = 1`);
    return Number((result.rows[0] as Row | undefined)?.version ?? 0);
  }

  private async pinOf(db: Queryable, upstream: string, tool: string): Promise<PinInfo | undefined> {
    const result = await db.query(`SELECT * FROM ${PINS} WHERE upstream = $1 AND tool = $2`, [
      upstream,
      tool,
    ]);
    const row = result.rows[0] as Row | undefined;
    return row === undefined ? undefined : pinFromRow(row);
  }

  private async addEvent(client: Queryable, e: Omit<PinEvent, 'id'>): Promise<void> {
    await client.query(
      `INSERT INTO ${EVENTS} (time, kind, upstream, tool, old_hash, new_hash, actor, via, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      eventValues(e),
    );
  }

  private async bump(client: Queryable): Promise<void> {
    await client.query(`UPDATE ${STATE} SET version = version + 1 WHERE id = 1`);
  }
}
