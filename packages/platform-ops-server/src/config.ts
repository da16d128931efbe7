/**
 * The platform-ops server's configuration, read from the environment and checked with zod, so a
 * missing token or a malformed URL stops the server at start with a message naming the variable
 * instead of failing on the first call.
 *
 *   PLATFORM_BASE_URL   the platform API, e.g. https://platform.northwind.internal (required)
 *   PLATFORM_TOKEN      bearer token of this server's service account (required)
 *   PLATFORM_TIMEOUT_MS per-attempt timeout (default 5000)
 *   GATEHOUSE_TODAY     YYYY-MM-DD: pins "now" to that day (00:00 UTC, then running) for tests and demos
 */
import * as z from 'zod';

const EnvSchema = z.object({
  PLATFORM_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  PLATFORM_TOKEN: z.string({ error: 'is required' }).min(1, 'is required'),
  PLATFORM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  GATEHOUSE_TODAY: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
    .refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)), 'is not a date')
    .optional(),
});

export interface PlatformOpsConfig {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  /** Total attempts for reads and idempotent actions (default 3). */
  maxAttempts?: number;
  /** Consecutive failures that open the circuit breaker (default 5). */
  breakerFailures?: number;
  /** Milliseconds since the epoch "now"; pinned by GATEHOUSE_TODAY. */
  now: () => number;
}

/** A clock that starts at `today` 00:00 UTC when the process starts and runs from there. */
export function pinnedClock(today: string | undefined): () => number {
  if (today === undefined) return Date.now;
  const start = Date.parse(`${today}T00:00:00Z`);
  const startedAt = Date.now();
  return () => start + (Date.now() - startedAt);
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): PlatformOpsConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new Error(`platform-ops-server: bad environment: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  return {
    baseUrl: values.PLATFORM_BASE_URL,
    token: values.PLATFORM_TOKEN,
    timeoutMs: values.PLATFORM_TIMEOUT_MS,
    now: pinnedClock(values.GATEHOUSE_TODAY),
  };
}
