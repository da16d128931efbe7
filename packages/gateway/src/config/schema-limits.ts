/**
 * The `rateLimits` section of gatehouse.yaml: named rules that cap how many requests a bucket
 * (per principal, role, tool and/or upstream) may make per window, counted in memory or in a
 * Redis shared by every replica. Part of the one zod schema in schema.ts; normalize-limits.ts
 * turns it into the runtime model.
 */
import { z } from 'zod';

/**
 * The longest window: 24 days. The in-memory counters expire through a timer, and Node timers
 * cannot wait longer than 2^31 - 1 ms (24.8 days).
 */
export const MAX_WINDOW_SEC = 24 * 24 * 60 * 60;

export const RATE_LIMIT_DIMENSIONS = ['principal', 'role', 'tool', 'upstream'] as const;
export const RATE_LIMITED_METHODS = ['tools/call', 'resources/read', 'prompts/get'] as const;

const ruleName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "." or "-", starting with a letter or digit')
  .max(64);

const nonEmptyNames = z.array(z.string().min(1)).min(1);

export const RateLimitRuleSchema = z
  .object({
    name: ruleName.describe('Unique name of the rule; error messages and logs name it.'),
    per: z
      .array(z.enum(RATE_LIMIT_DIMENSIONS))
      .describe(
        'What gets a bucket of its own: any of principal, role, tool, upstream. [] is one bucket for ' +
          'everyone. With role, a caller consumes from the bucket of each of its roles the rule applies to.',
      ),
    methods: z
      .array(z.enum([...RATE_LIMITED_METHODS, '*']))
      .min(1)
      .default(['tools/call'])
      .describe(
        'Which requests count: tools/call (default), resources/read, prompts/get, or "*" for all three.',
      ),
    roles: nonEmptyNames
      .optional()
      .describe('Applies only to callers holding at least one of these roles (default: every caller).'),
    tools: nonEmptyNames
      .optional()
      .describe(
        'Applies only to these exposed names (globs: * and ?): tool names, or for prompts/get and ' +
          'resources/read the prompt name or resource URI (default: every target).',
      ),
    upstreams: nonEmptyNames
      .optional()
      .describe('Applies only to targets served by these upstreams (default: every upstream).'),
    limit: z.number().int().positive().describe('Requests allowed per bucket in each window.'),
    windowSec: z
      .number()
      .int()
      .positive()
      .max(MAX_WINDOW_SEC)
      .describe(
        'Window length in seconds (at most 24 days); it starts with the first counted request. A quota is a long window (86400 = a day).',
      ),
  })
  .strict();

export const RateLimitsRedisSchema = z
  .object({
    url: z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
      .describe('Redis shared by every replica, e.g. redis://127.0.0.1:6379 (rediss:// for TLS).'),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, "_", ".", ":" or "-"')
      .max(64)
      .default('gatehouse')
      .describe('Prefix of every key the gateway writes; replicas that share limits must share it.'),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .max(10_000)
      .default(500)
      .describe(
        'How long one Redis command may take; on timeout or outage the replica counts in memory until Redis is back.',
      ),
  })
  .strict();

export const RateLimitsSchema = z
  .object({
    redis: RateLimitsRedisSchema.optional().describe(
      'Count in Redis so that replicas share their limits; without it each replica counts in memory.',
    ),
    rules: z
      .array(RateLimitRuleSchema)
      .default([])
      .describe('Every rule that applies to a request must have room; one full bucket refuses it.'),
  })
  .strict();
