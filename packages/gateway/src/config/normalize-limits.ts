/**
 * normalize() for the `rateLimits` section: `"*"` expanded, dimensions put in canonical order,
 * rule names unique, upstream filters naming configured upstreams. Pure; issues name their path.
 */
import type {
  RateLimitDimension,
  RateLimitedMethod,
  RateLimitRuleModel,
  RateLimitsModel,
} from './model-limits.ts';
import type { NormalizeIssue } from './normalize.ts';
import type { GatewayConfigParsed } from './schema.ts';
import { RATE_LIMIT_DIMENSIONS, RATE_LIMITED_METHODS } from './schema-limits.ts';

type Parsed = GatewayConfigParsed;
type RuleInput = Parsed['rateLimits']['rules'][number];

function normalizeRule(rule: RuleInput): RateLimitRuleModel {
  const methods: RateLimitedMethod[] = rule.methods.includes('*')
    ? [...RATE_LIMITED_METHODS]
    : RATE_LIMITED_METHODS.filter((m) => rule.methods.includes(m));
  const per: RateLimitDimension[] = RATE_LIMIT_DIMENSIONS.filter((d) => rule.per.includes(d));
  return {
    name: rule.name,
    per,
    methods,
    roles: rule.roles ?? null,
    tools: rule.tools ?? null,
    upstreams: rule.upstreams ?? null,
    limit: rule.limit,
    windowSec: rule.windowSec,
  };
}

export function normalizeRateLimits(
  limits: Parsed['rateLimits'],
  upstreams: readonly { name: string }[],
  issues: NormalizeIssue[],
): RateLimitsModel {
  const upstreamNames = upstreams.map((u) => u.name);
  const seen = new Map<string, number>();
  limits.rules.forEach((rule, i) => {
    const previous = seen.get(rule.name);
    if (previous !== undefined) {
      issues.push({
        code: 'CONFIG_COLLISION',
        path: ['rateLimits', 'rules', i, 'name'],
        message: `duplicate rate limit rule name "${rule.name}" (also rateLimits.rules[${previous}])`,
      });
    } else seen.set(rule.name, i);
    const repeated = rule.per.find((d, j) => rule.per.indexOf(d) !== j);
    if (repeated !== undefined) {
      issues.push({
        code: 'CONFIG_INVALID',
        path: ['rateLimits', 'rules', i, 'per'],
        message: `"${repeated}" is listed twice`,
      });
    }
    (rule.upstreams ?? []).forEach((name, j) => {
      if (!upstreamNames.includes(name)) {
        issues.push({
          code: 'CONFIG_REFERENCE',
          refersTo: { kind: 'upstream', name },
          path: ['rateLimits', 'rules', i, 'upstreams', j],
          message: `unknown upstream "${name}" (configured: ${upstreamNames.join(', ') || 'none'})`,
        });
      }
    });
  });
  return {
    redis: limits.redis === undefined ? null : { ...limits.redis },
    rules: limits.rules.map(normalizeRule),
  };
}
