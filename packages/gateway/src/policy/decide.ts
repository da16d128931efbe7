/**
 * THE decision function. Pure: (policy, roles, target, arguments?) → decision. It serves both
 * list filtering (no arguments: "may this caller see it?") and enforcement (with arguments: "may
 * this call go ahead?"), for tools, resources, resource templates and prompts alike.
 *
 * - Deny by default: nothing is visible or callable unless an allow rule of one of the caller's
 *   roles names it.
 * - A matching deny rule always wins. An unconditional deny hides the target; a deny with
 *   conditions refuses only the calls whose arguments meet them.
 * - An allow rule with conditions makes the target visible and allows only calls whose
 *   arguments meet them.
 * - `approval` comes from the allow rule that decided.
 */
import type { ApprovalMode, ApprovalRuleModel, PolicyModel, RuleModel } from '../config/model-access.ts';
import { holds } from './conditions.ts';
import { anyGlobMatches } from './glob.ts';

export type TargetKind = 'tool' | 'resource' | 'prompt';

export interface Target {
  kind: TargetKind;
  /** Exposed tool or prompt name, resource URI, or resource template text. */
  name: string;
}

export interface Decision {
  effect: 'allow' | 'deny';
  /** May the caller know the target exists? False means: answer exactly as for a missing one. */
  visible: boolean;
  /** `role:<role> → group:<group>/allow[0]`, or null when nothing matched (default deny). */
  rule: string | null;
  /** How the call must be approved before it reaches the upstream (and how long a queued one
   * is held open); null: no approval. */
  approval: ApprovalRuleModel | null;
  /** One sentence for explain output and audit. */
  reason: string;
}

function patternsFor(rule: RuleModel, kind: TargetKind): string[] | null {
  return kind === 'tool' ? rule.tools : kind === 'resource' ? rule.resources : rule.prompts;
}

function names(rule: RuleModel, target: Target): boolean {
  const patterns = patternsFor(rule, target.kind);
  return patterns !== null && anyGlobMatches(patterns, target.name);
}

function conditionsHold(rule: RuleModel, args: Record<string, unknown>): boolean {
  return rule.when.every((c) => holds(c, args));
}

function label(role: string, rule: RuleModel): string {
  return `role:${role} → ${rule.id}`;
}

interface Matched {
  role: string;
  rule: RuleModel;
}

function matching(policy: PolicyModel, roles: readonly string[], target: Target): Matched[] {
  const found: Matched[] = [];
  for (const role of roles) {
    const spec = policy.roles[role];
    if (spec === undefined) continue;
    for (const rule of spec.rules) if (names(rule, target)) found.push({ role, rule });
  }
  return found;
}

/**
 * How strict an approval requirement is: none, then `auto` (asked in band when the client can,
 * else queued), then `in-band` (the calling user must confirm), then `queue` (an approver other
 * than the caller decides).
 */
const APPROVAL_RANK: Record<ApprovalMode, number> = { auto: 1, 'in-band': 2, queue: 3 };

function approvalRank(rule: RuleModel): number {
  return rule.approval === null ? 0 : APPROVAL_RANK[rule.approval.mode];
}

/** The group a rule is written in (`group:finance` of `group:finance/allow[0]`). */
function groupOf(rule: RuleModel): string {
  const slash = rule.id.indexOf('/');
  return slash === -1 ? rule.id : rule.id.slice(0, slash);
}

/** `a` over `b` by `rank` (higher wins), an unconditional rule among equals. */
function better(a: Matched, b: Matched, rank: (m: Matched) => number): boolean {
  const byRank = rank(a) - rank(b);
  return byRank > 0 || (byRank === 0 && a.rule.when.length === 0 && b.rule.when.length > 0);
}

function pick(rules: Iterable<Matched>, rank: (m: Matched) => number): Matched | undefined {
  let best: Matched | undefined;
  for (const m of rules) if (best === undefined || better(m, best, rank)) best = m;
  return best;
}

/**
 * The rule that decides a call among the allow rules whose conditions hold. Within one group the
 * least strict applies — a group may allow a call outright under a condition and otherwise with
 * an approval. Across the caller's groups the strictest wins, as a deny does: one group's
 * outright allow never lifts the approval another group asks for.
 */
function strictest(rules: Matched[]): Matched | undefined {
  const perGroup = new Map<string, Matched[]>();
  for (const m of rules) perGroup.set(groupOf(m.rule), [...(perGroup.get(groupOf(m.rule)) ?? []), m]);
  const groupVerdicts = [...perGroup.values()].map((group) => pick(group, (m) => -approvalRank(m.rule)));
  return pick(
    groupVerdicts.filter((m): m is Matched => m !== undefined),
    (m) => approvalRank(m.rule),
  );
}

function conditionsText(rule: RuleModel): string {
  return rule.when.map((c) => c.source).join(' and ');
}

export function decide(
  policy: PolicyModel,
  roles: readonly string[],
  target: Target,
  args?: Record<string, unknown>,
): Decision {
  const found = matching(policy, roles, target);
  const denies = found.filter((m) => m.rule.effect === 'deny');
  const hardDeny = denies.find((m) => m.rule.when.length === 0);
  if (hardDeny) {
    return {
      effect: 'deny',
      visible: false,
      rule: label(hardDeny.role, hardDeny.rule),
      approval: null,
      reason: `${target.kind} "${target.name}" is denied`,
    };
  }
  if (args !== undefined) {
    const conditionalDeny = denies.find((m) => conditionsHold(m.rule, args));
    if (conditionalDeny) {
      return {
        effect: 'deny',
        visible: true,
        rule: label(conditionalDeny.role, conditionalDeny.rule),
        approval: null,
        reason: `denied because ${conditionsText(conditionalDeny.rule)}`,
      };
    }
  }
  const allows = found.filter((m) => m.rule.effect === 'allow');
  if (allows.length === 0) {
    return {
      effect: 'deny',
      visible: false,
      rule: null,
      approval: null,
      reason: `no rule of roles [${roles.join(', ')}] allows ${target.kind} "${target.name}" (deny by default)`,
    };
  }
  // Listing: visible when any allow rule names it. Prefer an unconditional rule for the label.
  // A call: among the allow rules whose conditions hold, the strictest approval requirement wins,
  // as a deny does — one group's outright allow never lifts another group's approval.
  const chosen =
    args === undefined
      ? (allows.find((m) => m.rule.when.length === 0) ?? allows[0])
      : strictest(allows.filter((m) => conditionsHold(m.rule, args)));
  if (chosen === undefined) {
    const first = allows[0] as Matched;
    return {
      effect: 'deny',
      visible: true,
      rule: label(first.role, first.rule),
      approval: null,
      reason: `arguments do not meet ${allows.map((m) => `${m.rule.id} (${conditionsText(m.rule)})`).join(' or ')}`,
    };
  }
  return {
    effect: 'allow',
    visible: true,
    rule: label(chosen.role, chosen.rule),
    approval: chosen.rule.approval,
    reason:
      chosen.rule.when.length > 0 && args !== undefined
        ? `allowed because ${conditionsText(chosen.rule)}`
        : `${target.kind} "${target.name}" is allowed`,
  };
}
