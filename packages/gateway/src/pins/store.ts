/**
 * Where tool pins are kept, shared by every gateway replica and the `gatehouse pins` CLI: the
 * embedded SQLite database of one process (store-sqlite.ts, `storage.path`) or the shared
 * PostgreSQL replicas scale out on (store-pg.ts, `storage.postgres`). Both keep the same four
 * tables and the same rules:
 * - pins: the approved definition of each upstream tool (its own name), with its hash; a tool
 *   seen first is pinned once, however many replicas see it at once;
 * - changes: at most one pending change per tool — the newest definition seen that differs from
 *   the pin — recorded once (one `changed` event) whoever sees it;
 * - events: what happened (a change detected, a change approved), an outbox each event of which
 *   one gateway claims for a while (a lease), writes to the audit log and then confirms. An event
 *   whose claimer stopped before confirming (a replica killed mid-write) is claimed again once the
 *   lease has run out, so no event goes unaudited; the price is that a claimer stopped after its
 *   record committed but before confirming leaves that event audited twice, both records with the
 *   same request id (`pin-event-<id>`);
 * - state: a counter bumped by every change to pins or pending changes, which a running gateway
 *   polls to notice approvals made by another process or replica.
 * This file holds the interface and the parts both share; `openPinStore` (open-store.ts) picks one.
 */
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

/** Everything admission needs, as of one version of the store. */
export interface PinSnapshot {
  version: number;
  /** Per upstream: its pins by the upstream's own tool name. */
  pins: Map<string, Map<string, PinnedTool>>;
  /** Per upstream: the hash of each tool's pending change. */
  pending: Map<string, Map<string, string>>;
}

export interface ApproveOptions {
  via?: string;
  /** The pending hash the approver reviewed (full, or a prefix as `pins list` shows). */
  hash?: string;
  osUser?: string;
}

export interface PinStore {
  /** Where the pins are kept, for messages (no secret: never the URL). */
  readonly where: string;
  /** True when gateway replicas share it (each with its own upstream connections). */
  readonly sharedByReplicas: boolean;
  /** Bumped by every change to pins or pending changes, by any process. */
  version(): Promise<number>;
  /** Every pin and pending hash, read at (or after) the version it reports. */
  snapshot(): Promise<PinSnapshot>;
  /**
   * Stores what admission found for one upstream: new pins (a pin someone else stored first
   * stays), newly seen changes (each with a `changed` event; only against the pin the admission
   * saw), and pending changes the upstream has reverted. True when anything changed.
   */
  record(upstream: string, admission: Admission, onChange: string): Promise<boolean>;
  /** Every pin, by upstream and tool. */
  pins(): Promise<PinInfo[]>;
  pin(upstream: string, tool: string): Promise<PinInfo | undefined>;
  /** Every pending change, oldest first. */
  pending(): Promise<PendingChange[]>;
  pendingChange(upstream: string, tool: string): Promise<PendingChange | undefined>;
  /**
   * Makes the pending change of one tool its pin, and records an `approved` event. With
   * `options.hash`, only when the pending change still has that hash — the one the approver
   * reviewed. Returns the new pin, or undefined when there is no such pending change (also when
   * another process approved it first).
   */
  approve(upstream: string, tool: string, by: string, options?: ApproveOptions): Promise<PinInfo | undefined>;
  /** Events not yet written to the audit log, oldest first. */
  unaudited(limit?: number): Promise<PinEvent[]>;
  /**
   * Claims up to `limit` of the oldest unaudited events for this writer, atomically, for
   * `leaseMs` (CLAIM_LEASE_MS by default): until the lease runs out, an event claimed here is
   * claimed by no one else; after it, an event not confirmed is anyone's again. Oldest first.
   */
  claim(limit?: number, leaseMs?: number): Promise<PinEvent[]>;
  /** Marks claimed events audited (their audit records committed): no one claims them again. */
  confirm(ids: readonly number[]): Promise<void>;
  /** Gives claimed events back at once (their audit records were not committed). */
  release(ids: readonly number[]): Promise<void>;
  /** Every event, oldest first (for tests and tooling). */
  events(): Promise<PinEvent[]>;
  close(): Promise<void>;
}

// The parts both backends share: rows (snake_case columns, as both return them) and events.

/**
 * How long a claim on pin events holds. Writing a batch to the audit log takes milliseconds; a
 * minute leaves room for a store under load, and bounds how late the event of a claimer that
 * died is audited by another (each polls every second).
 */
export const CLAIM_LEASE_MS = 60_000;

/** Until when a claim made now holds: an ISO-8601 time, which sorts as text. */
export function leaseEnd(now: Date, leaseMs: number): string {
  return new Date(now.getTime() + leaseMs).toISOString();
}

export type Row = Record<string, unknown>;

function text(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

export function pinFromRow(row: Row): PinInfo {
  return {
    upstream: String(row.upstream),
    tool: String(row.tool),
    hash: String(row.hash),
    definition: JSON.parse(String(row.definition)) as ToolDefinition,
    pinnedAt: String(row.pinned_at),
    approvedBy: text(row.approved_by),
  };
}

export function changeFromRow(row: Row): PendingChange {
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

export function eventFromRow(row: Row): PinEvent {
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

/** Events in outbox order (a RETURNING clause promises none). */
export function oldestFirst(events: PinEvent[]): PinEvent[] {
  return events.sort((a, b) => a.id - b.id);
}

/** The snapshot of pin rows (upstream, tool, hash, definition) and change rows (upstream, tool, hash). */
export function snapshotOf(
  version: number,
  pinRows: readonly Row[],
  changeRows: readonly Row[],
): PinSnapshot {
  const pins = new Map<string, Map<string, PinnedTool>>();
  for (const r of pinRows) {
    const upstream = String(r.upstream);
    const tools = pins.get(upstream) ?? new Map<string, PinnedTool>();
    tools.set(String(r.tool), {
      hash: String(r.hash),
      definition: JSON.parse(String(r.definition)) as ToolDefinition,
    });
    pins.set(upstream, tools);
  }
  const pending = new Map<string, Map<string, string>>();
  for (const r of changeRows) {
    const upstream = String(r.upstream);
    const tools = pending.get(upstream) ?? new Map<string, string>();
    tools.set(String(r.tool), String(r.hash));
    pending.set(upstream, tools);
  }
  return { version, pins, pending };
}

/** The `changed` event of a newly recorded pending change. */
export function changedEvent(c: DetectedChange, onChange: string, time: string): Omit<PinEvent, 'id'> {
  return {
    time,
    kind: 'changed',
    upstream: c.upstream,
    tool: c.tool,
    oldHash: c.pinnedHash,
    newHash: c.hash,
    actor: null,
    via: null,
    detail: { fields: c.fields, onChange },
  };
}

/** The `approved` event of an approval of `change`, which replaced the pin `previousHash`. */
export function approvedEvent(
  change: PendingChange,
  previousHash: string | undefined,
  by: string,
  options: ApproveOptions,
  time: string,
): Omit<PinEvent, 'id'> {
  return {
    time,
    kind: 'approved',
    upstream: change.upstream,
    tool: change.tool,
    oldHash: previousHash ?? change.pinnedHash,
    newHash: change.hash,
    actor: by,
    via: options.via ?? null,
    detail: {
      fields: change.fields,
      ...(options.osUser === undefined ? {} : { osUser: options.osUser }),
    },
  };
}

/** Whether the pending change is the one the approver reviewed (any when no hash is given). */
export function isReviewed(change: PendingChange, options: ApproveOptions): boolean {
  return options.hash === undefined || change.hash.startsWith(options.hash);
}

/** An event's columns, in the order both backends insert them. */
export function eventValues(e: Omit<PinEvent, 'id'>): (string | null)[] {
  return [e.time, e.kind, e.upstream, e.tool, e.oldHash, e.newHash, e.actor, e.via, JSON.stringify(e.detail)];
}

/** Whether an admission has anything to store. */
export function hasWrites(admission: Admission): boolean {
  return admission.pin.length + admission.changed.length + admission.reverted.length > 0;
}
