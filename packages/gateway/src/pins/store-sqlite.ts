/**
 * Tool pins in the embedded SQLite database (`storage.path`), for one gateway process and the
 * `gatehouse pins` CLI on the same host. Synchronous underneath (node:sqlite); every write runs
 * in a `BEGIN IMMEDIATE` transaction, so the gateway and the CLI never interleave.
 */
import type { DatabaseSync } from 'node:sqlite';
import { openEmbeddedDb } from '../storage/embedded-db.ts';
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

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tool_pins (
  upstream TEXT NOT NULL,
  tool TEXT NOT NULL,
  hash TEXT NOT NULL,
  definition TEXT NOT NULL,
  pinned_at TEXT NOT NULL,
  approved_by TEXT,
  PRIMARY KEY (upstream, tool)
) STRICT;
CREATE TABLE IF NOT EXISTS tool_pin_changes (
  upstream TEXT NOT NULL,
  tool TEXT NOT NULL,
  pinned_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  definition TEXT NOT NULL,
  fields TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  PRIMARY KEY (upstream, tool)
) STRICT;
CREATE TABLE IF NOT EXISTS tool_pin_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
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
) STRICT;
CREATE INDEX IF NOT EXISTS tool_pin_events_unaudited ON tool_pin_events (id) WHERE audited_at IS NULL;
CREATE TABLE IF NOT EXISTS tool_pin_state (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL) STRICT;
INSERT OR IGNORE INTO tool_pin_state (id, version) VALUES (1, 0);
`;

export class SqlitePinStore implements PinStore {
  readonly where: string;
  readonly sharedByReplicas = false;
  private readonly db: DatabaseSync;

  constructor(path: string) {
    this.where = `the embedded database ${path}`;
    this.db = openEmbeddedDb(path);
    this.db.exec(SCHEMA);
    this.addClaimColumn();
  }

  /** A database made before claims had leases gets the column (SQLite has no ADD COLUMN IF NOT EXISTS). */
  private addClaimColumn(): void {
    const columns = this.db.prepare('PRAGMA table_info(tool_pin_events)').all() as Row[];
    if (columns.some((c) => c.name === 'claimed_until')) return;
    this.transaction(() => {
      const again = this.db.prepare('PRAGMA table_info(tool_pin_events)').all() as Row[];
      if (!again.some((c) => c.name === 'claimed_until'))
        this.db.exec('ALTER TABLE tool_pin_events ADD COLUMN claimed_until TEXT');
    });
  }

  async version(): Promise<number> {
    return this.versionNow();
  }

  async snapshot(): Promise<PinSnapshot> {
    const version = this.versionNow();
    const pins = this.db.prepare('SELECT upstream, tool, hash, definition FROM tool_pins').all() as Row[];
    const changes = this.db.prepare('SELECT upstream, tool, hash FROM tool_pin_changes').all() as Row[];
    return snapshotOf(version, pins, changes);
  }

  async record(upstream: string, admission: Admission, onChange: string): Promise<boolean> {
    if (!hasWrites(admission)) return false;
    return this.transaction(() => {
      const now = new Date().toISOString();
      let writes = 0;
      const insertPin = this.db.prepare(
        'INSERT OR IGNORE INTO tool_pins (upstream, tool, hash, definition, pinned_at, approved_by) VALUES (?, ?, ?, ?, ?, NULL)',
      );
      for (const p of admission.pin) {
        writes += Number(insertPin.run(upstream, p.tool, p.hash, JSON.stringify(p.definition), now).changes);
      }
      // Only against the pin the admission saw: a change approved meanwhile is no change.
      const upsertChange = this.db.prepare(`INSERT INTO tool_pin_changes
        (upstream, tool, pinned_hash, hash, definition, fields, first_seen)
        SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS
          (SELECT 1 FROM tool_pins WHERE upstream = ? AND tool = ? AND hash = ?)
        ON CONFLICT (upstream, tool) DO UPDATE SET pinned_hash = excluded.pinned_hash, hash = excluded.hash,
          definition = excluded.definition, fields = excluded.fields, first_seen = excluded.first_seen
        WHERE hash <> excluded.hash`);
      for (const c of admission.changed) {
        const definition = JSON.stringify(c.definition);
        const fields = JSON.stringify(c.fields);
        const run = upsertChange.run(
          upstream,
          c.tool,
          c.pinnedHash,
          c.hash,
          definition,
          fields,
          now,
          upstream,
          c.tool,
          c.pinnedHash,
        );
        if (Number(run.changes) === 0) continue;
        writes++;
        this.addEvent(changedEvent({ ...c, upstream }, onChange, now));
      }
      const deleteChange = this.db.prepare('DELETE FROM tool_pin_changes WHERE upstream = ? AND tool = ?');
      for (const tool of admission.reverted) writes += Number(deleteChange.run(upstream, tool).changes);
      if (writes > 0) this.bump();
      return writes > 0;
    });
  }

  async pins(): Promise<PinInfo[]> {
    return (this.db.prepare('SELECT * FROM tool_pins ORDER BY upstream, tool').all() as Row[]).map(
      pinFromRow,
    );
  }

  async pin(upstream: string, tool: string): Promise<PinInfo | undefined> {
    return this.pinNow(upstream, tool);
  }

  async pending(): Promise<PendingChange[]> {
    const rows = this.db.prepare('SELECT * FROM tool_pin_changes ORDER BY first_seen, upstream, tool').all();
    return (rows as Row[]).map(changeFromRow);
  }

  async pendingChange(upstream: string, tool: string): Promise<PendingChange | undefined> {
    return this.pendingChangeNow(upstream, tool);
  }

  async approve(
    upstream: string,
    tool: string,
    by: string,
    options: ApproveOptions = {},
  ): Promise<PinInfo | undefined> {
    return this.transaction(() => {
      const change = this.pendingChangeNow(upstream, tool);
      if (change === undefined || !isReviewed(change, options)) return undefined;
      const now = new Date().toISOString();
      const previous = this.pinNow(upstream, tool);
      this.db
        .prepare(`INSERT INTO tool_pins (upstream, tool, hash, definition, pinned_at, approved_by)
          VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (upstream, tool) DO UPDATE SET hash = excluded.hash,
          definition = excluded.definition, pinned_at = excluded.pinned_at, approved_by = excluded.approved_by`)
        .run(upstream, tool, change.hash, JSON.stringify(change.definition), now, by);
      this.db.prepare('DELETE FROM tool_pin_changes WHERE upstream = ? AND tool = ?').run(upstream, tool);
      this.addEvent(approvedEvent(change, previous?.hash, by, options, now));
      this.bump();
      return this.pinNow(upstream, tool);
    });
  }

  async unaudited(limit = 100): Promise<PinEvent[]> {
    const rows = this.db
      .prepare('SELECT * FROM tool_pin_events WHERE audited_at IS NULL ORDER BY id LIMIT ?')
      .all(limit);
    return (rows as Row[]).map(eventFromRow);
  }

  async claim(limit = 100, leaseMs = CLAIM_LEASE_MS): Promise<PinEvent[]> {
    const now = new Date();
    const rows = this.transaction(() =>
      this.db
        .prepare(`UPDATE tool_pin_events SET claimed_until = ? WHERE id IN
          (SELECT id FROM tool_pin_events WHERE audited_at IS NULL
             AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY id LIMIT ?) RETURNING *`)
        .all(leaseEnd(now, leaseMs), now.toISOString(), limit),
    );
    return oldestFirst((rows as Row[]).map(eventFromRow));
  }

  async confirm(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    const audited = new Date().toISOString();
    const confirm = this.db.prepare(
      'UPDATE tool_pin_events SET audited_at = ?, claimed_until = NULL WHERE id = ?',
    );
    this.transaction(() => {
      for (const id of ids) confirm.run(audited, id);
    });
  }

  async release(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    const release = this.db.prepare(
      'UPDATE tool_pin_events SET claimed_until = NULL WHERE id = ? AND audited_at IS NULL',
    );
    this.transaction(() => {
      for (const id of ids) release.run(id);
    });
  }

  async events(): Promise<PinEvent[]> {
    return (this.db.prepare('SELECT * FROM tool_pin_events ORDER BY id').all() as Row[]).map(eventFromRow);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }

  private versionNow(): number {
    const row = this.db.prepare('SELECT version FROM tool_pin_state WHERE id = 1').get() as Row | undefined;
    return Number(row?.version ?? 0);
  }

  private pinNow(upstream: string, tool: string): PinInfo | undefined {
    const row = this.db
      .prepare('SELECT * FROM tool_pins WHERE upstream = ? AND tool = ?')
      .get(upstream, tool);
    return row === undefined ? undefined : pinFromRow(row as Row);
  }

  private pendingChangeNow(upstream: string, tool: string): PendingChange | undefined {
    const row = this.db
      .prepare('SELECT * FROM tool_pin_changes WHERE upstream = ? AND tool = ?')
      .get(upstream, tool);
    return row === undefined ? undefined : changeFromRow(row as Row);
  }

  private addEvent(e: Omit<PinEvent, 'id'>): void {
    this.db
      .prepare(`INSERT INTO tool_pin_events (time, kind, upstream, tool, old_hash, new_hash, actor, via, detail)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(...eventValues(e));
  }

  private bump(): void {
    this.db.exec('UPDATE tool_pin_state SET version = version + 1 WHERE id = 1');
  }

  private transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }
}
