/**
 * The server's configuration, from the user's environment: where their Lantern is and their own
 * API token. A missing or malformed value stops the process at start with one line naming it.
 *
 *   LANTERN_URL          the product's base URL, e.g. http://127.0.0.1:7400
 *   LANTERN_TOKEN        the user's API token (lnt_…), from `lantern token --email …`
 *   LANTERN_TIMEOUT_MS   per-attempt timeout of an API call (default 5000)
 */
import * as z from 'zod';

export interface LanternMcpConfig {
  /** The product's base URL, without a trailing slash. */
  url: string;
  token: string;
  timeoutMs: number;
}

const EnvSchema = z.object({
  LANTERN_URL: z
    .url({
      protocol: /^https?$/,
      error: (issue) =>
        issue.input === undefined
          ? 'is not set (the Lantern base URL, e.g. http://127.0.0.1:7400)'
          : 'must be an http(s) URL like http://127.0.0.1:7400',
    })
    .transform((url) => url.replace(/\/+$/, '')),
  LANTERN_TOKEN: z
    .string({ error: 'is not set (your Lantern API token, lnt_…)' })
    .regex(/^lnt_[A-Za-z0-9_-]+$/, { error: 'is not a Lantern API token (they look like lnt_…)' }),
  LANTERN_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(50, { error: 'must be at least 50' })
    .max(120_000, { error: 'must be at most 120000' })
    .default(5_000),
});

/** Reads the environment (empty variables count as unset); throws one line naming every bad one. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): LanternMcpConfig {
  const present = Object.fromEntries(
    Object.keys(EnvSchema.shape)
      .map((key) => [key, env[key]?.trim()] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new Error(`lantern-mcp: ${problems.join('; ')}`);
  }
  return {
    url: parsed.data.LANTERN_URL,
    token: parsed.data.LANTERN_TOKEN,
    timeoutMs: parsed.data.LANTERN_TIMEOUT_MS,
  };
}
