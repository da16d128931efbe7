/**
 * Resilience in gatehouse.yaml: the top-level `resilience` defaults and each upstream's override
 * (deadline, retries, circuit breaker, bulkhead queue, health probing). Each sub-object overrides
 * the top-level one field by field, so no field here is a zod `.default()` (that would hide which
 * level set it): the built-in values are RESILIENCE_DEFAULTS, which the descriptions quote and
 * normalize-resilience.ts applies last.
 */
import { z } from 'zod';

/** What a field is when neither the upstream nor the top-level `resilience` sets it. */
export const RESILIENCE_DEFAULTS = {
  retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 2000 },
  breaker: {
    mode: 'consecutive',
    failures: 5,
    ratio: 0.5,
    window: 20,
    minimumCalls: 10,
    halfOpenAfterMs: 10_000,
  },
  queue: 0,
  health: { intervalMs: 15_000, timeoutMs: 5000, evictAfter: 3 },
  /** The default deadline is timeoutMs × retry.maxAttempts plus this. */
  deadlineSlackMs: 1000,
} as const;

const { retry, breaker, health } = RESILIENCE_DEFAULTS;

const ms = z.number().int().positive();

const RetrySchema = z
  .object({
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(10)
      .optional()
      .describe(
        `Attempts in all, for tools annotated readOnlyHint or idempotentHint (and lists, reads, prompts). Side-effecting tools are never retried. 1 turns retries off (default ${retry.maxAttempts}).`,
      ),
    initialDelayMs: ms
      .optional()
      .describe(`First backoff delay; later ones grow with jitter (default ${retry.initialDelayMs}).`),
    maxDelayMs: ms.optional().describe(`Longest backoff delay (default ${retry.maxDelayMs}).`),
  })
  .strict();

const BreakerSchema = z
  .object({
    mode: z
      .enum(['consecutive', 'ratio', 'off'])
      .optional()
      .describe(
        `consecutive: open after \`failures\` failures in a row; ratio: open when more than \`ratio\` of the last \`window\` calls failed (at least \`minimumCalls\`); off (default ${breaker.mode}).`,
      ),
    failures: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(`consecutive mode: failures in a row (default ${breaker.failures}).`),
    ratio: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe(
        `ratio mode: it opens when more than this share of the window failed (default ${breaker.ratio}).`,
      ),
    window: z
      .number()
      .int()
      .min(2)
      .optional()
      .describe(`ratio mode: calls considered (default ${breaker.window}).`),
    minimumCalls: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(`ratio mode: calls before it may open (default ${breaker.minimumCalls}).`),
    halfOpenAfterMs: ms
      .optional()
      .describe(
        `How long it stays open before one trial call is let through (default ${breaker.halfOpenAfterMs}).`,
      ),
  })
  .strict();

const HealthSchema = z
  .object({
    intervalMs: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe(
        `Probe (ping, or server/discover) every this many ms; 0 turns probing off (default ${health.intervalMs}).`,
      ),
    timeoutMs: ms.optional().describe(`A probe slower than this fails (default ${health.timeoutMs}).`),
    evictAfter: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'Failed probes in a row that evict the upstream: its entries leave the catalog (list_changed), and it reconnects with backoff; a successful reconnection re-admits it (list_changed again).',
      ),
  })
  .strict();

export const ResilienceSchema = z
  .object({
    deadlineMs: ms
      .optional()
      .describe(
        `Overall deadline of one call, including queueing and retries (default: timeoutMs × retry attempts + ${RESILIENCE_DEFAULTS.deadlineSlackMs / 1000} s).`,
      ),
    retry: RetrySchema.optional(),
    breaker: BreakerSchema.optional(),
    queue: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe(
        `Calls that may wait for a slot once maxInFlight are running; more are refused (default ${RESILIENCE_DEFAULTS.queue}).`,
      ),
    health: HealthSchema.optional(),
  })
  .strict();

export type ResilienceParsed = z.output<typeof ResilienceSchema>;
