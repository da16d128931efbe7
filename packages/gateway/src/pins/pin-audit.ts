/**
 * Pin events in the audit log: each event of the store's outbox (a change the gateway saw, an
 * approval made anywhere) becomes one audit record, written by a gateway that claimed it.
 */
import type { AuditEvent } from '../audit/event.ts';
import type { PinEvent, PinStore } from './store.ts';

export interface AuditSink {
  record(event: AuditEvent): Promise<void>;
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

/**
 * Writes every unaudited pin event to the audit log. Events are claimed a batch at a time (for a
 * lease: no other replica takes them meanwhile), recorded in outbox order, and then confirmed;
 * the ones whose record did not commit are given back for the next drain. A gateway that dies
 * between claiming and confirming leaves its events to be claimed again when the lease ends.
 * Rejects with the first failure.
 */
export async function auditPinEvents(store: PinStore, audit: AuditSink): Promise<void> {
  for (let events = await store.claim(); events.length > 0; events = await store.claim()) {
    const results = await Promise.allSettled(events.map((event) => audit.record(pinAuditEvent(event))));
    const recorded = events.filter((_, i) => results[i]?.status === 'fulfilled');
    const failed = events.filter((_, i) => results[i]?.status === 'rejected');
    await store.confirm(recorded.map((e) => e.id));
    if (failed.length === 0) continue;
    await store.release(failed.map((e) => e.id));
    const first = results.find((r) => r.status === 'rejected');
    throw first?.reason ?? new Error('pin events not audited');
  }
}
