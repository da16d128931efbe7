/** The runtime model of the `rateLimits` section (see schema-limits.ts). */

export type RateLimitDimension = 'principal' | 'role' | 'tool' | 'upstream';

export type RateLimitedMethod = 'tools/call' | 'resources/read' | 'prompts/get';

export interface RateLimitRuleModel {
  name: string;
  /** Bucket key dimensions in canonical order (principal, role, tool, upstream); [] = global. */
  per: RateLimitDimension[];
  /** `"*"` expanded to the three methods it stands for. */
  methods: RateLimitedMethod[];
  /** Caller role filter; null = every caller. */
  roles: string[] | null;
  /** Exposed-name globs; null = every target. */
  tools: string[] | null;
  /** Upstream name filter; null = every upstream. */
  upstreams: string[] | null;
  limit: number;
  windowSec: number;
}

export interface RateLimitsRedisModel {
  url: string;
  prefix: string;
  timeoutMs: number;
}

export interface RateLimitsModel {
  /** null: every replica counts in its own memory. */
  redis: RateLimitsRedisModel | null;
  rules: RateLimitRuleModel[];
}
