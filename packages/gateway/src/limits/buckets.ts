/**
 * Which rate-limit buckets a request draws from: a pure function of the rules and four facts
 * about the request (method, caller, exposed target name, owning upstream).
 *
 * A rule applies when the method is one it counts and every filter it has matches: the caller
 * holds one of its `roles`, the target matches one of its `tools` globs, the upstream is one of
 * its `upstreams`. The bucket key is made of the rule's `per` dimensions, in canonical order.
 * With `per: [role]` the caller draws from one bucket per role it holds that the rule applies to
 * (all of its roles when the rule has no `roles` filter): a caller with roles sales and support
 * uses up both the sales and the support bucket, so a role's budget caps everyone who acts under
 * it. A caller holding no such role has no role bucket, so a per-role rule does not apply to it.
 */
import type { RateLimitDimension, RateLimitRuleModel } from '../config/model-limits.ts';
import { anyGlobMatches } from '../policy/glob.ts';

export interface LimitedRequest {
  method: string;
  principal: { readonly id: string; readonly roles: readonly string[] };
  /** The exposed tool or prompt name, or the resource URI. */
  target: string;
  /** The name of the upstream that serves the target. */
  upstream: string;
}

export interface Bucket {
  rule: RateLimitRuleModel;
  /** Unique within the rule: `principal=key%3Aabc|tool=crm_get`, or `*` for a global rule. */
  key: string;
}

function applies(rule: RateLimitRuleModel, req: LimitedRequest): boolean {
  if (!(rule.methods as readonly string[]).includes(req.method)) return false;
  if (rule.roles !== null && !req.principal.roles.some((r) => rule.roles?.includes(r))) return false;
  if (rule.tools !== null && !anyGlobMatches(rule.tools, req.target)) return false;
  if (rule.upstreams !== null && !rule.upstreams.includes(req.upstream)) return false;
  return true;
}

/** The caller's roles this rule keys on, each once, in the order the caller holds them. */
function rolesFor(rule: RateLimitRuleModel, req: LimitedRequest): string[] {
  const roles =
    rule.roles === null ? req.principal.roles : req.principal.roles.filter((r) => rule.roles?.includes(r));
  return [...new Set(roles)];
}

/** Key parts always come in this order, however a rule lists its dimensions. */
const ORDER: readonly RateLimitDimension[] = ['principal', 'role', 'tool', 'upstream'];

function part(dimension: RateLimitDimension, value: string): string {
  return `${dimension}=${encodeURIComponent(value)}`;
}

/** The values a dimension takes for this request: one, except role (one per matching role). */
function valuesOf(dimension: RateLimitDimension, rule: RateLimitRuleModel, req: LimitedRequest): string[] {
  switch (dimension) {
    case 'principal':
      return [req.principal.id];
    case 'role':
      return rolesFor(rule, req);
    case 'tool':
      return [req.target];
    case 'upstream':
      return [req.upstream];
  }
}

/** The keys of a rule's buckets: each dimension multiplies them, `*` when it has none. */
function keysOf(rule: RateLimitRuleModel, req: LimitedRequest): string[] {
  let keys: string[][] = [[]];
  for (const dimension of ORDER) {
    if (!rule.per.includes(dimension)) continue;
    const values = valuesOf(dimension, rule, req);
    keys = keys.flatMap((key) => values.map((v) => [...key, part(dimension, v)]));
  }
  return keys.map((key) => (key.length === 0 ? '*' : key.join('|')));
}

export function bucketsFor(rules: readonly RateLimitRuleModel[], req: LimitedRequest): Bucket[] {
  return rules
    .filter((rule) => applies(rule, req))
    .flatMap((rule) => keysOf(rule, req).map((key) => ({ rule, key })));
}
