/**
 * The server's configuration, from the user's environment: where their Lantern is and their own
 * API token. A missing or malformed value stops the process at start with one line naming it.
 *
 *   LANTERN_URL          the product's base URL, e.g. http://127.0.0.1:7400
 *   LANTERN_TOKEN        the user's API token (lnt_…), from `npx gatehouse lantern token --email …`
 *   LANTERN_TOKEN_FILE   instead of LANTERN_TOKEN: a file holding it (kept out of the environment,
 *                        e.g. the gateway demo's owner-only `lantern-upstream-token`)
 *   LANTERN_TIMEOUT_MS   per-attempt timeout of an API call (default 5000)
 */
import { readFileSync } from 'node:fs';
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
    .string({
      error: 'is not set (your Lantern API token, lnt_…, or LANTERN_TOKEN_FILE naming a file with it)',
    })
    .regex(/^lnt_[A-Za-z0-9_-]+$/, { error: 'is not a Lantern API token (they look like lnt_…)' }),
  LANTERN_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(50, { error: 'must be at least 50' })
    .max(120_000, { error: 'must be at most 120000' })
    .default(5_000),
});

/** LANTERN_TOKEN, or the content of LANTERN_TOKEN_FILE when only that is set. */
function withTokenFromFile(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const file = env.LANTERN_TOKEN_FILE?.trim();
  if ((env.LANTERN_TOKEN?.trim() ?? '') !== '' || file === undefined || file === '') return env;
  try {
    return { ...env, LANTERN_TOKEN: readFileSync(file, 'utf8').trim() };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new Error(`lantern-mcp: LANTERN_TOKEN_FILE ${file} ${reason}`);
  }
}

/** Reads the environment (empty variables count as unset); throws one line naming every bad one. */
export function configFromEnv(given: NodeJS.ProcessEnv = process.env): LanternMcpConfig {
  const env = withTokenFromFile(given);
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
