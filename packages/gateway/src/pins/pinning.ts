/**
 * Tool pinning in a running gateway. The catalog passes each upstream's tool list through
 * `admit()` on every rebuild (startup, list_changed re-list, reconnect); admission runs against
 * this process's copy of the pins (`view`), never the database, so no request waits on it. What
 * admission finds new (a first-seen tool, a changed definition) is applied to the copy at once and
 * stored behind it.
 *
 * The copy follows the store: a cheap poll of the store's change counter (every `pollMs`, 1 s by
 * default) notices approvals made by another process or replica (`gatehouse pins approve`, a
 * console on another replica); then the copy is re-read, the catalog rebuilt and clients told.
 * When the store is unreachable the copy keeps being enforced — the last known pins, never the
 * upstream's definitions unchecked — the failure is logged once, and the poll recovers by itself.
 *
 * Pin events (a change seen, a change approved — by the CLI, a console or anyone) reach the audit
 * log from here only: each is claimed once from the store's outbox, so it is audited exactly once
 * across replicas even when the process that caused it (the CLI, `gatehouse catalog`) has no
 * audit log open.
 */
import type { Tool } from '@modelcontextprotocol/client';
import type { UpstreamModel } from '../config/model.ts';
import type { Logger } from '../observability/logger.ts';
import { type Admission, admitTools, type PinnedTool } from './admit.ts';
import { ChangeReports } from './change-reports.ts';
import { type AuditSink, auditPinEvents } from './pin-audit.ts';
import {
  type ApproveOptions,
  hasWrites,
  type PendingChange,
  type PinInfo,
  type PinSnapshot,
  type PinStore,
} from './store.ts';

/** How often a gateway looks for pin changes made elsewhere: an approval takes effect within it. */
export const DEFAULT_PIN_POLL_MS = 1_000;
/**
 * The documented bound for an approval made elsewhere to be served by every gateway with the
 * default poll: one poll interval, plus reading the pins and rebuilding the catalog.
 */
export const PIN_EFFECT_SECONDS = 2;
/** A poll that has not finished after this many intervals is logged as an unreachable store. */
const HUNG_POLLS = 5;

export interface ToolPinningOptions {
  store: PinStore;
  /** Where pin events are recorded; null when audit is off. */
  audit: AuditSink | null;
  log: Logger;
  /** How often to look for changes made by other processes (default 1 s). */
  pollMs?: number;
}

interface Admitted {
  tools: readonly Tool[];
  serve: Tool[];
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What admission stored, applied to the in-memory copy so the next rebuild sees it too. */
function applyToView(view: PinSnapshot, upstream: string, admission: Admission): void {
  const pins = view.pins.get(upstream) ?? new Map<string, PinnedTool>();
  for (const p of admission.pin) if (!pins.has(p.tool)) pins.set(p.tool, p);
  view.pins.set(upstream, pins);
  const pending = view.pending.get(upstream) ?? new Map<string, string>();
  for (const c of admission.changed) pending.set(c.tool, c.hash);
  for (const tool of admission.reverted) pending.delete(tool);
  view.pending.set(upstream, pending);
}

export class ToolPinning {
  readonly store: PinStore;
  private readonly audit: AuditSink | null;
  private readonly log: Logger;
  private readonly pollMs: number;
  private readonly admitted = new Map<string, Admitted>();
  private readonly reports: ChangeReports;
  /** The pins as last read from the store, plus what admission stored since; null until read. */
  private view: PinSnapshot | null = null;
  /** Re-read the store at the next poll even when its version did not move (a write failed). */
  private retry = false;
  /** False while the store cannot be reached (logged once per outage). */
  private reachable = true;
  private timer: NodeJS.Timeout | null = null;
  private onChange: (() => void) | null = null;
  private polling = false;
  /** Reads of the store started, and the latest one applied to `view`. */
  private reads = 0;
  private applied = 0;
  private writes: Promise<void> = Promise.resolve();
  private draining: Promise<void> = Promise.resolve();
  private drainQueued = false;
  private closed = false;

  constructor(options: ToolPinningOptions) {
    this.store = options.store;
    this.audit = options.audit;
    this.log = options.log.child({ component: 'pins' });
    this.pollMs = options.pollMs ?? DEFAULT_PIN_POLL_MS;
    this.reports = new ChangeReports(this.store.sharedByReplicas);
  }

  /** Whether the pin store answered the last time it was asked (for readiness). */
  get storeReachable(): boolean {
    return this.reachable;
  }

  /**
   * Reads the pins before serving. A store that cannot be read is a clear error: the gateway
   * does not start serving pinned upstreams without their pins.
   */
  async load(): Promise<void> {
    try {
      await this.reload();
    } catch (error) {
      throw new Error(
        `tool pins cannot be read from ${this.store.where}: ${reason(error)}; the gateway does not serve pinned upstreams without them`,
        { cause: error },
      );
    }
  }

  /**
   * The tools of one upstream to serve, from the in-memory pins: no database round trip. New
   * pins and newly seen changes are stored in the background. The result is cached until the
   * upstream's list or the pins change. Before the pins are first read, nothing is served.
   */
  admit(upstream: UpstreamModel, tools: readonly Tool[]): readonly Tool[] {
    if (!upstream.pinning.enabled) return tools;
    const view = this.view;
    if (this.closed || view === null) {
      this.retry = true;
      return [];
    }
    const cached = this.admitted.get(upstream.name);
    if (cached && cached.tools === tools) return cached.serve;
    const { onChange } = upstream.pinning;
    const pins = view.pins.get(upstream.name) ?? new Map<string, PinnedTool>();
    const pending = view.pending.get(upstream.name) ?? new Map<string, string>();
    const admission = this.reports.unreported(
      upstream.name,
      admitTools(upstream.name, tools, pins, onChange, pending),
      pins,
      pending,
    );
    if (hasWrites(admission)) {
      applyToView(view, upstream.name, admission);
      this.save(upstream.name, admission, onChange);
    }
    for (const c of admission.changed) {
      this.log.warn(
        { upstream: upstream.name, tool: c.tool, fields: c.fields, hash: c.hash, onChange },
        `upstream "${upstream.name}" changed pinned tool "${c.tool}"; ${onChange === 'hide' ? 'hidden' : 'serving the pinned definition'} until approved (gatehouse pins approve ${upstream.name}/${c.tool})`,
      );
    }
    this.admitted.set(upstream.name, { tools, serve: admission.serve });
    return admission.serve;
  }

  /** Starts polling for changes made elsewhere; `onChange` rebuilds the catalog and tells clients. */
  start(onChange: () => void): void {
    this.onChange = onChange;
    if (this.timer === null && !this.closed) {
      this.timer = setInterval(() => void this.poll(), this.pollMs);
      this.timer.unref();
    }
    if (this.view === null) void this.poll();
    this.drain();
  }

  /** Every pin and every pending change, as the store has them now. */
  async list(): Promise<{ pins: PinInfo[]; pending: PendingChange[] }> {
    return { pins: await this.store.pins(), pending: await this.store.pending() };
  }

  /**
   * Approves one pending change in-process (an admin console calls this): the new definition is
   * pinned and served at once by this replica (by the others at their next poll), clients are
   * told, and the approval is audited.
   */
  async approve(
    upstream: string,
    tool: string,
    by: string,
    options: Omit<ApproveOptions, 'osUser'> = {},
  ): Promise<PinInfo | undefined> {
    const pin = await this.store.approve(upstream, tool, by, { ...options, via: options.via ?? 'api' });
    if (pin !== undefined) {
      try {
        await this.reload();
      } catch (error) {
        this.retry = true;
        this.unreachable(error);
      }
      this.drain();
    }
    return pin;
  }

  /** Stops polling, lets queued writes and audit records finish, and closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.writes;
    await this.draining;
    await this.store.close();
  }

  /** Stores what admission found, one write at a time, behind the in-memory copy. */
  private save(upstream: string, admission: Admission, onChange: string): void {
    this.writes = this.writes.then(async () => {
      try {
        if (await this.store.record(upstream, admission, onChange)) this.drain();
        this.reports.stored(upstream, admission);
      } catch (error) {
        // The copy keeps enforcing what admission found; the poll re-reads the store and
        // re-admits every upstream once it answers, which stores it again.
        this.retry = true;
        this.unreachable(error);
      }
    });
  }

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    // A store that neither answers nor fails (a connection hung mid-network) is logged too.
    const hung = setTimeout(
      () => this.unreachable(new Error(`no answer in ${(HUNG_POLLS * this.pollMs) / 1000} s`)),
      HUNG_POLLS * this.pollMs,
    );
    hung.unref();
    try {
      const version = await this.store.version();
      if (this.view === null || version !== this.view.version || this.retry) await this.reload();
      if (!this.reachable) {
        this.reachable = true;
        this.log.info({ store: this.store.where }, 'tool pin store reachable again; pins re-read');
      }
      this.drain();
    } catch (error) {
      this.unreachable(error);
    } finally {
      clearTimeout(hung);
      this.polling = false;
    }
  }

  /** Re-reads the pins (after this process's queued writes) and re-admits every upstream. */
  private async reload(): Promise<void> {
    await this.writes;
    const ticket = ++this.reads;
    const snapshot = await this.store.snapshot();
    // Two reads can cross (a poll and an approval): one started earlier never replaces a later one.
    if (this.closed || ticket < this.applied) return;
    this.applied = ticket;
    this.view = snapshot;
    this.reports.forgetCleared(snapshot);
    this.retry = false;
    this.admitted.clear();
    this.onChange?.();
  }

  private unreachable(error: unknown): void {
    if (!this.reachable) return;
    this.reachable = false;
    this.log.error(
      { store: this.store.where, err: reason(error) },
      this.view === null
        ? 'tool pin store unreachable; pinned upstreams serve no tools until their pins are read'
        : 'tool pin store unreachable; enforcing the last known pins until it answers again',
    );
  }

  /** Writes the store's unaudited events to the audit log, one drain at a time. */
  private drain(): void {
    const audit = this.audit;
    if (audit === null || this.closed || this.drainQueued) return;
    this.drainQueued = true;
    this.draining = this.draining.then(async () => {
      this.drainQueued = false;
      try {
        await auditPinEvents(this.store, audit);
      } catch (error) {
        this.log.error({ err: reason(error) }, 'pin events not audited; retried at the next poll');
      }
    });
  }
}
