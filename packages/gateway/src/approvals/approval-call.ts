/**
 * The pure parts of approving one call: which mode applies, the call's fingerprint, the
 * question put to the calling user in band, and reading their answer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { canonicalJson } from '../audit/chain.ts';
import type { ApprovalMode, ApprovalsModel, PolicyModel } from '../config/model-access.ts';
import type { Decision } from '../policy/decide.ts';

/** The inputRequests key of the gateway's own approval question. */
export const APPROVAL_INPUT_KEY = 'gatehouse-approval';

/** The rule label recorded when a destructive annotation, not a rule, asked for approval. */
export const DESTRUCTIVE_RULE = 'annotation:destructiveHint';

export interface ApprovalNeed {
  mode: ApprovalMode;
  /** How long a queued call is held open for a decision (the rule's, else approvals.waitSeconds). */
  waitSeconds: number;
  /** What asked for the approval: a policy rule label or DESTRUCTIVE_RULE. */
  because: string;
}

/** Does this allowed call need an approval, and how is it asked? */
export function approvalNeed(
  decision: Decision | undefined,
  tool: { annotations?: { destructiveHint?: boolean } } | undefined,
  config: ApprovalsModel,
): ApprovalNeed | null {
  if (decision?.effect !== 'allow') return null;
  if (decision.approval !== null) return { ...decision.approval, because: decision.rule ?? 'policy' };
  if (config.destructiveTools && tool?.annotations?.destructiveHint === true) {
    return { mode: config.mode, waitSeconds: config.waitSeconds, because: DESTRUCTIVE_RULE };
  }
  return null;
}

/**
 * Does the tool promise that repeating a call with the same arguments has no further effect
 * (MCP's idempotentHint, on the pinned definition)? Then an identical repeat of an approved call
 * is a replay and needs no approval of its own.
 */
export function repeatsAreReplays(tool: { annotations?: { idempotentHint?: boolean } } | undefined): boolean {
  return tool?.annotations?.idempotentHint === true;
}

/**
 * Identifies a call for approval purposes: the same principal calling the same target with the
 * same arguments (key order ignored). An approval is only ever spent on a call with this value.
 */
export function callFingerprint(principalId: string, method: string, target: string, args: unknown): string {
  return createHash('sha256')
    .update(canonicalJson([principalId, method, target, args ?? null]))
    .digest('base64url');
}

/** The SHA-256 of the arguments' canonical JSON (key order ignored), as an approval records it. */
export function argumentsHash(args: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(args ?? null))
    .digest('hex');
}

/**
 * The version of the rules an approval was given under: a hash of the policy and of the approval
 * settings that decide who must approve what. An approval given under one version is not spent
 * under another (a reload that changes the rules voids standing approvals).
 */
export function policyVersion(policy: PolicyModel, approvals: ApprovalsModel): string {
  const { mode, destructiveTools, approvers, allowSelfApproval } = approvals;
  return createHash('sha256')
    .update(canonicalJson({ policy, approvals: { mode, destructiveTools, approvers, allowSelfApproval } }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * A fresh id for one round of an approved exchange. The requestState of each later round carries
 * one; the gateway spends it when the round is answered, so the same answer cannot run the
 * approved call a second time.
 */
export function newRoundId(): string {
  return randomBytes(12).toString('base64url');
}

const MAX_SHOWN = 2000;

function shown(args: unknown): string {
  const text = JSON.stringify(args ?? {}, null, 2);
  return text.length > MAX_SHOWN
    ? `${text.slice(0, MAX_SHOWN)}\n… (${text.length - MAX_SHOWN} more characters)`
    : text;
}

/** The elicitation the calling user answers in band (2025 sessions via the SDK; 2026 as input_required). */
export function approvalQuestion(call: {
  method: string;
  target: string;
  arguments: unknown;
  because: string;
}) {
  const what =
    call.method === 'tools/call' ? `call the tool "${call.target}"` : `${call.method} "${call.target}"`;
  return {
    method: 'elicitation/create' as const,
    params: {
      mode: 'form' as const,
      message: `Your assistant wants to ${what} with:\n${shown(call.arguments)}\nThis needs your approval (${call.because}).`,
      requestedSchema: {
        type: 'object' as const,
        properties: {
          approve: {
            type: 'boolean' as const,
            title: 'Approve this call',
            description: 'Let the call go ahead exactly as shown.',
            default: false,
          },
        },
        required: ['approve'],
      },
    },
  };
}

/** True only for an explicit accept with approve: true; anything else is a refusal. */
export function answerApproves(answer: unknown): boolean {
  if (answer === null || typeof answer !== 'object') return false;
  const { action, content } = answer as { action?: unknown; content?: unknown };
  if (action !== 'accept' || content === null || typeof content !== 'object') return false;
  return (content as { approve?: unknown }).approve === true;
}

/** Can the calling client answer an elicitation form (so in-band approval is possible)? */
export function canAnswerInBand(
  capabilities: { elicitation?: { form?: object; url?: object } } | undefined,
): boolean {
  const elicitation = capabilities?.elicitation;
  if (elicitation === undefined) return false;
  // An empty elicitation capability means form mode (2025-11-25 backwards compatibility).
  return elicitation.form !== undefined || elicitation.url === undefined;
}
