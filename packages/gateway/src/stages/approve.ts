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
 *
 * Every approval is bound to the caller, the target, the arguments' hash, the policy version and
 * an expiry, and is spent once: an in-band answer presented a second time is refused as a
 * replay. A tool that declares idempotentHint is the one exception the other way round: an
 * identical repeat of a call whose approval was used (and has not expired) can only replay what
 * was done, so it goes ahead without a new approval, recorded as a replay of that approval.
 */

import {
  APPROVAL_INPUT_KEY,
  type ApprovalNeed,
  answerApproves,
  approvalNeed,
  approvalQuestion,
  argumentsHash,
  callFingerprint,
  canAnswerInBand,
  repeatsAreReplays,
} from '../approvals/approval-call.ts';
import {
  type ApprovalRequest,
  type ApprovalStore,
  type NewApproval,
  newApprovalId,
  type QueueAnswer,
} from '../approvals/approval-store.ts';
import { argumentProblem } from '../approvals/argument-check.ts';
import type { Redactor } from '../audit/redact.ts';
import type { Principal } from '../auth/principal.ts';
import type { ApprovalsModel } from '../config/model-access.ts';
import { wireError } from '../errors/wire.ts';
import type { Logger } from '../observability/logger.ts';
import type { Stage } from '../pipeline/compose.ts';
import type { Approval, ApprovedRequest, AuthorizedRequest } from '../pipeline/context.ts';
import { inputRequiredOutcome, type Outcome, resultOutcome } from '../pipeline/outcome.ts';
import type { ApprovedMark, ResumeState } from '../relay/call-relay.ts';
import { StoreUnavailable } from '../storage/unavailable.ts';

/** `_meta` key on an "awaiting approval" tool result, for clients and consoles that read it. */
export const APPROVAL_META_KEY = 'dev.gatehouse/approval';

export interface ApproveDeps {
  config: ApprovalsModel;
  store: ApprovalStore;
  /** Applied to the arguments an approver is shown. */
  redact: Redactor;
  log: Logger;
  /** The version of the rules in force (approval-call.ts policyVersion). */
  policyVersion: string;
}

interface PendingCall {
  principal: Principal;
  target: string;
  args: unknown;
  fingerprint: string;
  need: ApprovalNeed;
}

/** The approval record of this call, bound to caller, target, arguments' hash and policy version. */
function approvalRecord(req: AuthorizedRequest, call: PendingCall, deps: ApproveDeps): NewApproval {
  return {
    fingerprint: call.fingerprint,
    principal: call.principal,
    method: req.method,
    target: call.target,
    upstream: req.target?.upstream.name ?? null,
    arguments: deps.redact(call.args),
    argumentsHash: argumentsHash(call.args),
    policyVersion: deps.policyVersion,
    rule: call.need.because,
  };
}

type Approved = Extract<Approval, { state: 'approved' }>;

/** Seconds a caller is asked to wait when the approval queue is unreachable. */
const QUEUE_RETRY_AFTER_SECONDS = 5;

/**
 * One use of the approval queue: when its database cannot be reached the call is answered
 * StorageUnavailable (nothing was approved, spent or queued; retry), and the log says why.
 */
async function queue<T>(deps: ApproveDeps, req: AuthorizedRequest, use: Promise<T>): Promise<T> {
  try {
    return await use;
  } catch (error) {
    if (!(error instanceof StoreUnavailable)) throw error;
    deps.log.warn({ rid: req.id, err: error.message }, 'approval queue unreachable');
    throw wireError(
      'StorageUnavailable',
      'The approval queue cannot be reached right now (the shared database is unavailable); nothing was approved or queued',
      { reason: 'storage_unavailable', retryAfterSeconds: QUEUE_RETRY_AFTER_SECONDS },
    );
  }
}

function argumentsOf(req: AuthorizedRequest): unknown {
  if (req.method === 'tools/call') return req.upstreamArguments ?? {};
  return req.params.arguments ?? null;
}

function askInBand(
  req: AuthorizedRequest,
  call: PendingCall,
  config: ApprovalsModel,
  deps: { redact: Redactor; policyVersion: string },
): Outcome {
  const { redact } = deps;
  const state: ResumeState = {
    k: 'approval',
    p: call.principal.id,
    h: call.fingerprint,
    v: deps.policyVersion,
    i: newApprovalId(),
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

async function checkInBandAnswer(
  req: AuthorizedRequest,
  state: Extract<ResumeState, { k: 'approval' }>,
  call: PendingCall,
  deps: ApproveDeps,
): Promise<Approved> {
  if (state.p !== call.principal.id || state.h !== call.fingerprint) {
    throw wireError('InvalidParams', 'requestState belongs to a different call');
  }
  if (Date.now() > state.exp) {
    throw wireError('InputRequestExpired', 'The approval question expired; call again to be asked anew');
  }
  if (state.v !== deps.policyVersion) {
    throw wireError(
      'InputRequestExpired',
      'The policy changed after the approval question was asked; call again to be asked anew',
    );
  }
  if (!answerApproves(req.inputResponses?.[APPROVAL_INPUT_KEY])) {
    throw wireError('ApprovalDenied', `The user did not approve this call (${call.need.because})`, {
      deniedBy: call.principal.user,
    });
  }
  const by = `${call.principal.user} (in-band)`;
  const recorded = await queue(
    deps,
    req,
    deps.store.recordInBand(state.i, approvalRecord(req, call, deps), by),
  );
  if (!recorded.ok) {
    const { id, decidedAt } = recorded.request;
    throw wireError(
      'ApprovalDenied',
      `Approval ${id} was already used (at ${decidedAt ?? 'an earlier call'}); an approval lets one call through once. Call again without the requestState to be asked anew`,
      { approvalId: id, reason: 'already-used', usedAt: decidedAt },
    );
  }
  return { state: 'approved', by, fingerprint: call.fingerprint, id: state.i };
}

/** The approval a later round of an approved exchange carries, spent with the round. */
async function laterRound(
  req: AuthorizedRequest,
  mark: ApprovedMark,
  call: PendingCall,
  deps: ApproveDeps,
): Promise<Approved> {
  // A mark without a round id (sealed before round ids existed) cannot be spent once: ask anew.
  const round = mark.r;
  if (
    typeof round !== 'string' ||
    !(await queue(deps, req, deps.store.spendRound(round, call.fingerprint)))
  ) {
    throw wireError(
      'ApprovalDenied',
      'This answer to a round of an approved call was already used; an approval lets one call through once. Call again without the requestState to be asked anew',
      { reason: 'already-used' },
    );
  }
  return { state: 'approved', by: mark.by, fingerprint: call.fingerprint };
}

/** An identical repeat of an approved call to an idempotent tool: a replay, no new approval. */
async function replayOfUsedApproval(
  req: AuthorizedRequest,
  call: PendingCall,
  deps: ApproveDeps,
): Promise<Approved | null> {
  if (!repeatsAreReplays(req.target?.entry?.item as never)) return null;
  const used = await queue(deps, req, deps.store.usedApproval(call.fingerprint, deps.policyVersion));
  if (used === undefined) return null;
  deps.log.info(
    { rid: req.id, approval: used.id, target: call.target },
    'idempotent replay of an approved call',
  );
  const by = `${used.decidedBy ?? 'unknown'} (replay of ${used.id})`;
  return { state: 'approved', by, fingerprint: call.fingerprint, id: used.id, replay: true };
}

function awaiting(req: AuthorizedRequest, request: ApprovalRequest): Outcome {
  const text =
    `This call needs a human approval and is waiting for it as ${request.id} (expires ${request.expiresAt}). ` +
    `Ask an approver to approve it (gatehouse approvals approve ${request.id} --url <gateway URL>, with their own key), then make the same call again ` +
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
  const record = approvalRecord(req, call, deps);
  const ask = () => queue(deps, req, deps.store.request(record));
  let answer: QueueAnswer = await ask();
  if (answer.kind === 'pending' && answer.created) {
    deps.log.info({ rid: req.id, approval: answer.request.id, target: call.target }, 'approval requested');
  }
  if (answer.kind === 'pending' && call.need.waitSeconds > 0) {
    const decided = await queue(
      deps,
      req,
      deps.store.waitForDecision(answer.request.id, call.need.waitSeconds * 1000, req.signal),
    );
    if (decided?.status === 'approved' || decided?.status === 'denied') answer = await ask();
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

function invalidArguments(target: string, problem: string): Outcome {
  return resultOutcome({
    content: [
      {
        type: 'text',
        text: `Input validation error: Invalid arguments for tool ${target}: ${problem} (not sent for approval)`,
      },
    ],
    isError: true,
  });
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
    // Nobody is asked to approve a call its tool would refuse: the caller gets the tool's kind of
    // answer (a result the model can act on) and no approval is made or spent.
    const problem =
      req.method === 'tools/call'
        ? argumentProblem(
            (req.target.entry?.item as { inputSchema?: unknown } | undefined)?.inputSchema,
            args,
          )
        : null;
    if (problem !== null) return invalidArguments(target, problem);
    const call: PendingCall = {
      principal,
      target,
      args,
      need,
      fingerprint: callFingerprint(principal.id, req.method, target, args),
    };
    const state = req.resumeState as ResumeState | undefined;
    if (state?.k === 'approval') return proceed(await checkInBandAnswer(req, state, call, deps));
    // A later round of an exchange this call was already approved in (signed, so not forgeable;
    // each round answered once).
    if (state !== undefined && state.a?.h === call.fingerprint)
      return proceed(await laterRound(req, state.a, call, deps));
    const replay = await replayOfUsedApproval(req, call, deps);
    if (replay !== null) return proceed(replay);
    const clientCanAnswer = canAnswerInBand(req.clientCapabilities);
    if (need.mode === 'in-band' || (need.mode === 'auto' && clientCanAnswer)) {
      if (!clientCanAnswer) {
        throw wireError(
          'ApprovalRequired',
          `This call needs the calling user's approval (${need.because}), but the client cannot be asked: it did not declare the elicitation capability`,
        );
      }
      return askInBand(req, call, deps.config, deps);
    }
    const queued = await throughQueue(req, call, deps);
    return 'kind' in queued ? queued : proceed(queued);
  };
}
