/**
 * Tool pins in the embedded SQLite database (model.storage.path), shared by the gateway and the
 * `gatehouse pins` CLI:
 * - `tool_pins`: the approved definition of each upstream tool (its own name), with its hash;
 * - `tool_pin_changes`: at most one pending change per tool — the newest definition seen that
 *   differs from the pin;
 * - `tool_pin_events`: what happened (a change detected, a change approved), an outbox the gateway
 *   drains into the audit log so that only the audit log's one writer writes to it;
 * - `tool_pin_state`: a counter bumped by every change to pins or pending changes, which a running
 *   gateway polls to notice approvals made by another process.
 */
import type { DatabaseSync } from 'node:sqlite';
import { openEmbeddedDb } from '../storage/embedded-db.ts';
import type { Admission, DetectedChange, PinnedTool } from './admit.ts';
import type { PinnedField, ToolDefinition } from './definition.ts';

export interface PinInfo {
  upstream: string;
  tool: string;
  hash: string;
  definition: ToolDefinition;
  pinnedAt: string;
  /** Who approved this definition; null when it was pinned on first sight. */
  approvedBy: string | null;
}

/** A detected change waiting for approval; `pinnedHash` is the pin's hash when it was detected. */
export interface PendingChange extends DetectedChange {
  firstSeen: string;
}

export type PinEventKind = 'changed' | 'approved';

export interface PinEvent {
  id: number;
  time: string;
  kind: PinEventKind;
  upstream: string;
  tool: string;
  oldHash: string | null;
  newHash: string;
  /** The approver (approved), or null (changed: the gateway itself). */
  actor: string | null;
  /** How the approval was made: cli, console, api (approved). */
  via: string | null;
  detail: { fields: PinnedField[]; onChange?: string; osUser?: string };
}

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
  audited_at TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS tool_pin_events_unaudited ON tool_pin_events (id) WHERE audited_at IS NULL;
CREATE TABLE IF NOT EXISTS tool_pin_state (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL) STRICT;
INSERT OR IGNORE INTO tool_pin_state (id, version) VALUES (1, 0);
`;

type Row = Record<string, unknown>;

function pinFromRow(row: Row): PinInfo {
  return {
    upstream: String(row.upstream),
    tool: String(row.tool),
    hash: String(row.hash),
    definition: JSON.parse(String(row.definition)) as ToolDefinition,
    pinnedAt: String(row.pinned_at),
    approvedBy: row.approved_by === null ? null : String(row.approved_by),
  };
}

function changeFromRow(row: Row): PendingChange {
  return {
    upstream: String(row.upstream),
    tool: String(row.tool),
    pinnedHash: String(row.pinned_hash),
    hash: String(row.hash),
    definition: JSON.parse(String(row.definition)) as ToolDefinition,
    fields: JSON.parse(String(row.fields)) as PinnedField[],
    firstSeen: String(row.first_seen),
  };
}

function eventFromRow(row: Row): PinEvent {
  const text = (v: unknown) => (v === null ? null : String(v));
  return {
    id: Number(row.id),
    time: String(row.time),
    kind: String(row.kind) as PinEventKind,
    upstream: String(row.upstream),
    tool: String(row.tool),
    oldHash: text(row.old_hash),
    newHash: String(row.new_hash),
    actor: text(row.actor),
    via: text(row.via),
    detail: JSON.parse(String(row.detail)) as PinEvent['detail'],
  };
}

export class PinStore {
  private readonly db: DatabaseSync;

  constructor(path: string) {
    this.db = openEmbeddedDb(path);
    this.db.exec(SCHEMA);
  }

  /** Bumped by every change to pins or pending changes, by any process. */
  version(): number {
    const row = this.db.prepare('SELECT version FROM tool_pin_state WHERE id = 1').get() as Row | undefined;
    return Number(row?.version ?? 0);
  }

  pinsFor(upstream: string): Map<string, PinnedTool> {
    const rows = this.db.prepare('SELECT * FROM tool_pins WHERE upstream = ?').all(upstream) as Row[];
    return new Map(
      rows.map((r) => [String(r.tool), { hash: String(r.hash), definition: pinFromRow(r).definition }]),
    );
  }

  /** The hash of each tool's pending change. */
  pendingFor(upstream: string): Map<string, string> {
    const rows = this.db
      .prepare('SELECT tool, hash FROM tool_pin_changes WHERE upstream = ?')
      .all(upstream) as Row[];
    return new Map(rows.map((r) => [String(r.tool), String(r.hash)]));
  }

  /**
   * Stores what admission found for one upstream: new pins, newly seen changes (each with a
   * `changed` event), and pending changes the upstream has reverted. True when anything changed.
   */
  record(upstream: string, admission: Admission, onChange: string): boolean {
    if (admission.pin.length + admission.changed.length + admission.reverted.length === 0) return false;
    return this.transaction(() => {
      const now = new Date().toISOString();
      let writes = 0;
      const insertPin = this.db.prepare(
        'INSERT OR IGNORE INTO tool_pins (upstream, tool, hash, definition, pinned_at, approved_by) VALUES (?, ?, ?, ?, ?, NULL)',
      );
      for (const p of admission.pin) {
        writes += Number(insertPin.run(upstream, p.tool, p.hash, JSON.stringify(p.definition), now).changes);
      }
      const upsertChange = this.db.prepare(`INSERT INTO tool_pin_changes
        (upstream, tool, pinned_hash, hash, definition, fields, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (upstream, tool) DO UPDATE SET pinned_hash = excluded.pinned_hash, hash = excluded.hash,
          definition = excluded.definition, fields = excluded.fields, first_seen = excluded.first_seen
        WHERE hash <> excluded.hash`);
      for (const c of admission.changed) {
        const definition = JSON.stringify(c.definition);
        const fields = JSON.stringify(c.fields);
        const run = upsertChange.run(upstream, c.tool, c.pinnedHash, c.hash, definition, fields, now);
        if (Number(run.changes) === 0) continue;
        writes++;
        this.addEvent({
          time: now,
          kind: 'changed',
          upstream,
          tool: c.tool,
          oldHash: c.pinnedHash,
          newHash: c.hash,
          actor: null,
          via: null,
          detail: { fields: c.fields, onChange },
        });
      }
      const deleteChange = this.db.prepare('DELETE FROM tool_pin_changes WHERE upstream = ? AND tool = ?');
      for (const tool of admission.reverted) writes += Number(deleteChange.run(upstream, tool).changes);
      if (writes > 0) this.bump();
      return writes > 0;
    });
  }

  /** Every pin, by upstream and tool. */
  pins(): PinInfo[] {
    return (this.db.prepare('SELECT * FROM tool_pins ORDER BY upstream, tool').all() as Row[]).map(
      pinFromRow,
    );
  }

  pin(upstream: string, tool: string): PinInfo | undefined {
    const row = this.db
      .prepare('SELECT * FROM tool_pins WHERE upstream = ? AND tool = ?')
      .get(upstream, tool);
    return row === undefined ? undefined : pinFromRow(row as Row);
  }

  /** Every pending change, oldest first. */
  pending(): PendingChange[] {
    const rows = this.db.prepare('SELECT * FROM tool_pin_changes ORDER BY first_seen, upstream, tool').all();
    return (rows as Row[]).map(changeFromRow);
  }

  pendingChange(upstream: string, tool: string): PendingChange | undefined {
    const row = this.db
      .prepare('SELECT * FROM tool_pin_changes WHERE upstream = ? AND tool = ?')
      .get(upstream, tool);
    return row === undefined ? undefined : changeFromRow(row as Row);
  }

  /**
   * Makes the pending change of one tool its pin, and records an `approved` event. With `hash`
   * (the full hash or a prefix of it, as `pins list` shows), only when the pending change still
   * has that hash — the one the approver reviewed. Returns the new
   * pin, or undefined when there is no such pending change.
   */
  approve(
    upstream: string,
    tool: string,
    by: string,
    options: { via?: string; hash?: string; osUser?: string } = {},
  ): PinInfo | undefined {
    return this.transaction(() => {
      const change = this.pendingChange(upstream, tool);
      if (change === undefined || (options.hash !== undefined && !change.hash.startsWith(options.hash)))
        return undefined;
      const now = new Date().toISOString();
      const previous = this.pin(upstream, tool);
      this.db
        .prepare(`INSERT INTO tool_pins (upstream, tool, hash, definition, pinned_at, approved_by)
          VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (upstream, tool) DO UPDATE SET hash = excluded.hash,
          definition = excluded.definition, pinned_at = excluded.pinned_at, approved_by = excluded.approved_by`)
        .run(upstream, tool, change.hash, JSON.stringify(change.definition), now, by);
      this.db.prepare('DELETE FROM tool_pin_changes WHERE upstream = ? AND tool = ?').run(upstream, tool);
      this.addEvent({
        time: now,
        kind: 'approved',
        upstream,
        tool,
        oldHash: previous?.hash ?? change.pinnedHash,
        newHash: change.hash,
        actor: by,
        via: options.via ?? null,
        detail: {
          fields: change.fields,
          ...(options.osUser === undefined ? {} : { osUser: options.osUser }),
        },
      });
      this.bump();
      return this.pin(upstream, tool);
    });
  }

  /** Events not yet written to the audit log, oldest first. */
  unaudited(limit = 100): PinEvent[] {
    const rows = this.db
      .prepare('SELECT * FROM tool_pin_events WHERE audited_at IS NULL ORDER BY id LIMIT ?')
      .all(limit);
    return (rows as Row[]).map(eventFromRow);
  }

  /** Claims an event for auditing; false when another writer claimed it first. */
  claim(id: number): boolean {
    const run = this.db
      .prepare('UPDATE tool_pin_events SET audited_at = ? WHERE id = ? AND audited_at IS NULL')
      .run(new Date().toISOString(), id);
    return Number(run.changes) === 1;
  }

  /** Gives a claimed event back (its audit record was not committed). */
  release(id: number): void {
    this.db.prepare('UPDATE tool_pin_events SET audited_at = NULL WHERE id = ?').run(id);
  }

  /** Every event, oldest first (for tests and tooling). */
  events(): PinEvent[] {
    return (this.db.prepare('SELECT * FROM tool_pin_events ORDER BY id').all() as Row[]).map(eventFromRow);
  }

  close(): void {
    this.db.close();
  }

  private addEvent(e: Omit<PinEvent, 'id'>): void {
    this.db
      .prepare(`INSERT INTO tool_pin_events (time, kind, upstream, tool, old_hash, new_hash, actor, via, detail)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(
        e.time,
        e.kind,
        e.upstream,
        e.tool,
        e.oldHash,
        e.newHash,
        e.actor,
        e.via,
        JSON.stringify(e.detail),
      );
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
