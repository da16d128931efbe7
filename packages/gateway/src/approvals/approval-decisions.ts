/**
 * Deciding a queued approval, the same way from every door (the CLI, the HTTP API the console
 * uses): who may decide (pure), the decision itself, and its audit record.
 */
import { type AuditEvent, auditPrincipal } from '../audit/event.ts';
import type { Principal } from '../auth/principal.ts';
import type { ApprovalsModel } from '../config/model-access.ts';
import type { ApprovalRequest, ApprovalStore, DecideResult } from './approval-store.ts';

export type Verdict = 'approve' | 'deny';

export type MayDecide = { ok: true } | { ok: false; message: string };

/**
 * May this principal decide this request? Approvers hold one of `approvals.approvers`; nobody
 * decides their own request (the same principal, or the same user name through another key or
 * the CLI) unless `allowSelfApproval` is set.
 */
export function mayDecide(approver: Principal, request: ApprovalRequest, config: ApprovalsModel): MayDecide {
  if (!approver.roles.some((role) => config.approvers.includes(role))) {
    return {
      ok: false,
      message: `deciding approvals needs one of the roles [${config.approvers.join(', ')}]`,
    };
  }
  const own = approver.id === request.principal.id || approver.user === request.principal.user;
  if (!config.allowSelfApproval && own) {
    return { ok: false, message: 'an approver cannot decide their own request (four-eyes)' };
  }
  return { ok: true };
}

/** May this principal see the queue at all? */
export function mayReview(approver: Principal, config: ApprovalsModel): boolean {
  return approver.roles.some((role) => config.approvers.includes(role));
}

export interface DecisionInput {
  id: string;
  verdict: Verdict;
  /** Who decides, as recorded: an HTTP principal, or the CLI's `--by` name (a configured approver). */
  by: Principal;
  note: string | null;
  transport: AuditEvent['transport'];
  /** On the CLI's direct-database path: the operating-system user who ran the command. */
  osUser?: string;
}

/** The OS user beside the decision's arguments, when the decision was made on the host. */
function osUserOf(osUser: string | undefined): { osUser?: string } {
  return osUser === undefined ? {} : { osUser };
}

/** The audit record of a decision: method approvals/approve|deny, the request id as target. */
export function decisionEvent(input: DecisionInput, result: DecideResult): AuditEvent {
  const request = result.ok ? result.request : result.request;
  const problem = result.ok
    ? null
    : result.reason === 'not-found'
      ? 'no such approval request'
      : 'not pending';
  return {
    time: new Date().toISOString(),
    requestId: input.id,
    traceId: null,
    principal: auditPrincipal(input.by),
    transport: input.transport,
    era: 'modern',
    sessionId: null,
    method: `approvals/${input.verdict}`,
    target: input.id,
    upstream: request?.upstream ?? null,
    arguments:
      request === undefined
        ? null
        : {
            requestedBy: request.principal.user,
            call: request.target,
            argumentsHash: request.argumentsHash,
            policyVersion: request.policyVersion,
            note: input.note,
            ...osUserOf(input.osUser),
          },
    decision: 'none',
    rule: request?.rule ?? null,
    status: result.ok ? 'ok' : 'error',
    errorCode: null,
    errorMessage: problem,
    latencyMs: 0,
    resultBytes: null,
    resultHash: null,
    approvedBy: result.ok && input.verdict === 'approve' ? input.by.user : null,
  };
}

/**
 * The audit record of a refused attempt to read or decide the queue (not an approver, or an
 * approver deciding their own request): status denied, with the reason.
 */
export function refusedDecisionEvent(
  by: Principal,
  method: string,
  request: ApprovalRequest | undefined,
  message: string,
  transport: AuditEvent['transport'],
  osUser?: string,
): AuditEvent {
  return {
    time: new Date().toISOString(),
    requestId: request?.id ?? method,
    traceId: null,
    principal: auditPrincipal(by),
    transport,
    era: 'modern',
    sessionId: null,
    method,
    target: request?.id ?? null,
    upstream: request?.upstream ?? null,
    arguments:
      request === undefined
        ? osUser === undefined
          ? null
          : { osUser }
        : { requestedBy: request.principal.user, call: request.target, ...osUserOf(osUser) },
    decision: 'deny',
    rule: null,
    status: 'denied',
    errorCode: null,
    errorMessage: message,
    latencyMs: 0,
    resultBytes: null,
    resultHash: null,
    approvedBy: null,
  };
}

/** Decides and records it; the audit write is awaited so a decision is never unrecorded. */
export async function decideApproval(
  store: ApprovalStore,
  audit: { record(event: AuditEvent): Promise<void> } | null,
  input: DecisionInput,
): Promise<DecideResult> {
  const result = await store.decide(input.id, input.verdict, input.by.user, input.note);
  await audit?.record(decisionEvent(input, result));
  return result;
}
