/** Audit events for what the console changes beyond approvals (which decideApproval records). */
import type { AuditEvent } from '../../audit/event.ts';
import { auditPrincipal } from '../../audit/event.ts';
import type { Principal } from '../../auth/principal.ts';

export function consoleEvent(
  by: Principal,
  method: string,
  target: string,
  args: unknown,
  outcome: { ok: true } | { ok: false; message: string },
): AuditEvent {
  return {
    time: new Date().toISOString(),
    requestId: `console-${Date.now().toString(36)}`,
    traceId: null,
    principal: auditPrincipal(by),
    transport: 'http',
    era: 'modern',
    sessionId: null,
    method,
    target,
    upstream: null,
    arguments: args,
    decision: outcome.ok ? 'allow' : 'deny',
    rule: 'console',
    status: outcome.ok ? 'ok' : 'denied',
    errorCode: null,
    errorMessage: outcome.ok ? null : outcome.message,
    latencyMs: 0,
    resultBytes: null,
    resultHash: null,
    approvedBy: null,
  };
}
