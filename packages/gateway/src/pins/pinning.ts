/**
 * Tool pinning in a running gateway: the catalog passes each upstream's tool list through
 * `admit()` on every rebuild (startup, list_changed re-list, reconnect), which applies the pins
 * and stores what is new. A cheap poll of the store's change counter notices approvals made by
 * another process (`gatehouse pins approve`); then the catalog is rebuilt and clients are told.
 * Pin events (a change seen, a change approved — by the CLI, a console or anyone) reach the audit
 * log from here only: each is claimed once from the store's outbox, so it is audited exactly once
 * even when the process that caused it (the CLI, `gatehouse catalog`) has no audit log open.
 */
import type { Tool } from '@modelcontextprotocol/client';
import type { AuditEvent } from '../audit/event.ts';
import type { UpstreamModel } from '../config/model.ts';
import type { Logger } from '../observability/logger.ts';
import { admitTools } from './admit.ts';
import type { PendingChange, PinEvent, PinInfo, PinStore } from './store.ts';

export const DEFAULT_PIN_POLL_MS = 2_000;

export interface AuditSink {
  record(event: AuditEvent): Promise<void>;
}

export interface ToolPinningOptions {
  store: PinStore;
  /** Where pin events are recorded; null when audit is off. */
  audit: AuditSink | null;
  log: Logger;
  /** How often to look for changes made by other processes (default 2 s). */
  pollMs?: number;
}

interface Admitted {
  tools: readonly Tool[];
  version: number;
  serve: Tool[];
}

/** A hash short enough that the audit redactor does not take it for a secret. */
function short(hash: string | null): string | null {
  return hash === null ? null : hash.slice(0, 12);
}

/** The audit record of a pin event: the gateway itself saw a change, or an admin approved one. */
export function pinAuditEvent(e: PinEvent): AuditEvent {
  const approver = e.actor ?? 'unknown';
  const via = e.via ?? 'cli';
  return {
    time: e.time,
    requestId: `pin-event-${e.id}`,
    traceId: null,
    principal:
      e.kind === 'approved'
        ? { id: `${via}:${approver}`, user: approver, org: null, roles: [], via }
        : { id: 'system', user: 'gatehouse', org: null, roles: [], via: 'system' },
    transport: e.kind === 'approved' && via === 'cli' ? 'cli' : 'internal',
    era: 'modern',
    sessionId: null,
    method: `pins/${e.kind}`,
    target: `${e.upstream}/${e.tool}`,
    upstream: e.upstream,
    arguments: {
      pinnedHash: short(e.oldHash),
      hash: short(e.newHash),
      fields: e.detail.fields,
      ...(e.detail.onChange === undefined ? {} : { onChange: e.detail.onChange }),
      ...(e.detail.osUser === undefined ? {} : { osUser: e.detail.osUser }),
    },
    decision: e.kind === 'approved' ? 'allow' : 'none',
    rule: null,
    status: 'ok',
    errorCode: null,
    errorMessage: null,
    latencyMs: 0,
    resultBytes: null,
    resultHash: e.newHash,
    approvedBy: e.kind === 'approved' ? approver : null,
  };
}

export class ToolPinning {
  readonly store: PinStore;
  private readonly audit: AuditSink | null;
  private readonly log: Logger;
  private readonly pollMs: number;
  private readonly admitted = new Map<string, Admitted>();
  /** The store's change counter as of the last rebuild this gateway made for it. */
  private version: number;
  private retry = false;
  private timer: NodeJS.Timeout | null = null;
  private onChange: (() => void) | null = null;
  private draining: Promise<void> = Promise.resolve();
  private drainQueued = false;
  private closed = false;

  constructor(options: ToolPinningOptions) {
    this.store = options.store;
    this.audit = options.audit;
    this.log = options.log.child({ component: 'pins' });
    this.pollMs = options.pollMs ?? DEFAULT_PIN_POLL_MS;
    this.version = this.store.version();
  }

  /**
   * The tools of one upstream to serve. Pure apart from storing new pins and newly seen changes;
   * the result is cached until the upstream's list or the store changes.
   */
  admit(upstream: UpstreamModel, tools: readonly Tool[]): readonly Tool[] {
    if (!upstream.pinning.enabled) return tools;
    if (this.closed) return [];
    const cached = this.admitted.get(upstream.name);
    if (cached && cached.tools === tools && cached.version === this.version) return cached.serve;
    const { onChange } = upstream.pinning;
    try {
      const pins = this.store.pinsFor(upstream.name);
      const pending = this.store.pendingFor(upstream.name);
      const admission = admitTools(upstream.name, tools, pins, onChange, pending);
      if (this.store.record(upstream.name, admission, onChange)) this.drain();
      for (const c of admission.changed) {
        this.log.warn(
          { upstream: upstream.name, tool: c.tool, fields: c.fields, hash: c.hash, onChange },
          `upstream "${upstream.name}" changed pinned tool "${c.tool}"; ${onChange === 'hide' ? 'hidden' : 'serving the pinned definition'} until approved (gatehouse pins approve ${upstream.name}/${c.tool})`,
        );
      }
      this.admitted.set(upstream.name, { tools, version: this.version, serve: admission.serve });
      return admission.serve;
    } catch (error) {
      // Fail closed: without the pins nothing of this upstream is served; the poll retries.
      this.retry = true;
      this.admitted.delete(upstream.name);
      this.log.error(
        { upstream: upstream.name, err: error instanceof Error ? error.message : String(error) },
        "tool pins unavailable; hiding this upstream's tools",
      );
      return [];
    }
  }

  /** Starts polling for changes made elsewhere; `onChange` rebuilds the catalog and tells clients. */
  start(onChange: () => void): void {
    this.onChange = onChange;
    if (this.timer === null && !this.closed) {
      this.timer = setInterval(() => this.poll(), this.pollMs);
      this.timer.unref();
    }
    this.drain();
  }

  private poll(): void {
    let version: number;
    try {
      version = this.store.version();
    } catch (error) {
      this.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'pin poll failed');
      return;
    }
    if (version !== this.version || this.retry) this.refresh(version);
    this.drain();
  }

  /** Re-admits every upstream against the store as it is now. */
  refresh(version = this.store.version()): void {
    this.version = version;
    this.retry = false;
    this.admitted.clear();
    this.onChange?.();
  }

  /** Every pin and every pending change. */
  list(): { pins: PinInfo[]; pending: PendingChange[] } {
    return { pins: this.store.pins(), pending: this.store.pending() };
  }

  /**
   * Approves one pending change in-process (an admin console calls this): the new definition is
   * pinned and served at once, clients are told, and the approval is audited.
   */
  approve(
    upstream: string,
    tool: string,
    by: string,
    options: { via?: string; hash?: string } = {},
  ): PinInfo | undefined {
    const pin = this.store.approve(upstream, tool, by, { ...options, via: options.via ?? 'api' });
    if (pin !== undefined) {
      this.refresh();
      this.drain();
    }
    return pin;
  }

  /** Writes the store's unaudited events to the audit log, one drain at a time. */
  private drain(): void {
    if (this.audit === null || this.closed || this.drainQueued) return;
    this.drainQueued = true;
    this.draining = this.draining.then(async () => {
      this.drainQueued = false;
      await this.drainOnce();
    });
  }

  private async drainOnce(): Promise<void> {
    const audit = this.audit;
    if (audit === null) return;
    try {
      for (let events = this.store.unaudited(); events.length > 0; events = this.store.unaudited()) {
        for (const event of events) {
          if (!this.store.claim(event.id)) continue;
          try {
            await audit.record(pinAuditEvent(event));
          } catch (error) {
            this.store.release(event.id);
            throw error;
          }
        }
      }
    } catch (error) {
      this.log.error(
        { err: error instanceof Error ? error.message : String(error) },
        'pin events not audited',
      );
    }
  }

  /** Stops polling, lets queued audit writes finish, and closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.draining;
    this.store.close();
  }
}
