/**
 * approve: a call that policy (or a destructive annotation) marks for approval waits here for a
 * human yes before it can reach the upstream.
 * - In band: the calling user is asked through an elicitation form — as `input_required` to a
 *   2026-07-28 client, and (through the SDK) as a real elicitation on a 2025-era session. The
 *   answer comes back with gateway-signed requestState bound to the principal and the call's
 *   fingerprint, so it approves exactly this call.
 * - Queue: a request goes to the approval queue (CLI and HTTP API); the caller is told it awaits
 *   approval, and calling again with the same arguments after an approver said yes goes ahead,
 *   once.
 * Once approved, later rounds of the same exchange (the upstream asking for input) carry the
 * approval in their requestState, so the user is not asked twice.
 */

import {
  APPROVAL_INPUT_KEY,
  type ApprovalNeed,
  answerApproves,
  approvalNeed,
  approvalQuestion,
  callFingerprint,
  canAnswerInBand,
} from '../approvals/approval-call.ts';
import type { ApprovalRequest, ApprovalStore, QueueAnswer } from '../approvals/approval-store.ts';
import type { Redactor } from '../audit/redact.ts';
import type { Principal } from '../auth/principal.ts';
import type { ApprovalsModel } from '../config/model-access.ts';
import { wireError } from '../errors/wire.ts';
import type { Logger } from '../observability/logger.ts';
import type { Stage } from '../pipeline/compose.ts';
import type { Approval, ApprovedRequest, AuthorizedRequest } from '../pipeline/context.ts';
import { inputRequiredOutcome, type Outcome, resultOutcome } from '../pipeline/outcome.ts';
import type { ResumeState } from '../relay/call-relay.ts';

/** `_meta` key on an "awaiting approval" tool result, for clients and consoles that read it. */
export const APPROVAL_META_KEY = 'dev.gatehouse/approval';

export interface ApproveDeps {
  config: ApprovalsModel;
  store: ApprovalStore;
  /** Applied to the arguments an approver is shown. */
  redact: Redactor;
  log: Logger;
}

interface PendingCall {
  principal: Principal;
  target: string;
  args: unknown;
  fingerprint: string;
  need: ApprovalNeed;
}

type Approved = Extract<Approval, { state: 'approved' }>;

function argumentsOf(req: AuthorizedRequest): unknown {
  if (req.method === 'tools/call') return req.upstreamArguments ?? {};
  return req.params.arguments ?? null;
}

function askInBand(
  req: AuthorizedRequest,
  call: PendingCall,
  config: ApprovalsModel,
  redact: Redactor,
): Outcome {
  const state: ResumeState = {
    k: 'approval',
    p: call.principal.id,
    h: call.fingerprint,
    exp: Date.now() + config.ttlSeconds * 1000,
  };
  return inputRequiredOutcome(
    {
      [APPROVAL_INPUT_KEY]: approvalQuestion({
        method: req.method,
        target: call.target,
        arguments: redact(call.args),
        because: call.need.because,
      }),
    } as never,
    state,
  );
}

function checkInBandAnswer(
  req: AuthorizedRequest,
  state: Extract<ResumeState, { k: 'approval' }>,
  call: PendingCall,
): Approved {
  if (state.p !== call.principal.id || state.h !== call.fingerprint) {
    throw wireError('InvalidParams', 'requestState belongs to a different call');
  }
  if (Date.now() > state.exp) {
    throw wireError('InputRequestExpired', 'The approval question expired; call again to be asked anew');
  }
  if (!answerApproves(req.inputResponses?.[APPROVAL_INPUT_KEY])) {
    throw wireError('ApprovalDenied', `The user did not approve this call (${call.need.because})`, {
      deniedBy: call.principal.user,
    });
  }
  return { state: 'approved', by: `${call.principal.user} (in-band)`, fingerprint: call.fingerprint };
}

function awaiting(req: AuthorizedRequest, request: ApprovalRequest): Outcome {
  const text =
    `This call needs a human approval and is waiting for it as ${request.id} (expires ${request.expiresAt}). ` +
    `Ask an approver to approve it (gatehouse approvals approve ${request.id}), then make the same call again ` +
    'with the same arguments.';
  const data = { approvalId: request.id, status: 'pending', expiresAt: request.expiresAt };
  req.trail.approval = { state: 'pending', id: request.id };
  if (req.method !== 'tools/call') throw wireError('ApprovalRequired', text, data);
  return resultOutcome({
    content: [{ type: 'text', text }],
    isError: true,
    _meta: { [APPROVAL_META_KEY]: data },
  });
}

/** The approval the queue gave, or the answer for a call still waiting for one. */
async function throughQueue(
  req: AuthorizedRequest,
  call: PendingCall,
  deps: ApproveDeps,
): Promise<Approved | Outcome> {
  const ask = () =>
    deps.store.request({
      fingerprint: call.fingerprint,
      principal: call.principal,
      method: req.method,
      target: call.target,
      upstream: req.target?.upstream.name ?? null,
      arguments: deps.redact(call.args),
      rule: call.need.because,
    });
  let answer: QueueAnswer = ask();
  if (answer.kind === 'pending' && answer.created) {
    deps.log.info({ rid: req.id, approval: answer.request.id, target: call.target }, 'approval requested');
  }
  if (answer.kind === 'pending' && deps.config.waitSeconds > 0) {
    const decided = await deps.store.waitForDecision(
      answer.request.id,
      deps.config.waitSeconds * 1000,
      req.signal,
    );
    if (decided?.status === 'approved' || decided?.status === 'denied') answer = ask();
  }
  if (answer.kind === 'approved') {
    const by = answer.request.decidedBy ?? 'unknown';
    return { state: 'approved', by, fingerprint: call.fingerprint, id: answer.request.id };
  }
  if (answer.kind === 'denied') {
    const { id, decidedBy, note, expiresAt } = answer.request;
    throw wireError(
      'ApprovalDenied',
      `Approval ${id} for this call was denied by ${decidedBy ?? 'an approver'}${note ? `: ${note}` : ''}`,
      { approvalId: id, deniedBy: decidedBy, note, until: expiresAt },
    );
  }
  return awaiting(req, answer.request);
}

export function approve(deps: ApproveDeps): Stage<AuthorizedRequest, ApprovedRequest> {
  return async (req, next) => {
    const proceed = (approval: Approved | undefined) => {
      if (approval !== undefined) req.trail.approval = approval;
      return next(Object.assign(req, { approval }));
    };
    if (req.target === undefined) return proceed(undefined);
    const need = approvalNeed(req.decision, req.target.entry?.item as never, deps.config);
    if (need === null) return proceed(undefined);
    const { principal } = req;
    const target = req.target.name;
    const args = argumentsOf(req);
    const call: PendingCall = {
      principal,
      target,
      args,
      need,
      fingerprint: callFingerprint(principal.id, req.method, target, args),
    };
    const state = req.resumeState as ResumeState | undefined;
    if (state?.k === 'approval') return proceed(checkInBandAnswer(req, state, call));
    // A later round of an exchange this call was already approved in (signed, so not forgeable).
    if (state !== undefined && state.a?.h === call.fingerprint)
      return proceed({ state: 'approved', by: state.a.by, fingerprint: call.fingerprint });
    const clientCanAnswer = canAnswerInBand(req.clientCapabilities);
    if (need.mode === 'in-band' || (need.mode === 'auto' && clientCanAnswer)) {
      if (!clientCanAnswer) {
        throw wireError(
          'ApprovalRequired',
          `This call needs the calling user's approval (${need.because}), but the client cannot be asked: it did not declare the elicitation capability`,
        );
      }
      return askInBand(req, call, deps.config, deps.redact);
    }
    const queued = await throughQueue(req, call, deps);
    return 'kind' in queued ? queued : proceed(queued);
  };
}
