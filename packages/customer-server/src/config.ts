/**
 * The customer server's configuration, read from the environment and checked with zod so a bad
 * or missing value stops the process at start with a message naming the variable.
 *
 *   HUBSPOT_BASE_URL         CRM API base (default https://api.hubapi.com)
 *   HUBSPOT_TOKEN            HubSpot private-app access token (required)
 *   INTERCOM_BASE_URL        support API base (default https://api.intercom.io)
 *   INTERCOM_TOKEN           Intercom access token (required)
 *   CHARGEOVER_BASE_URL      your ChargeOver API, e.g. https://northwind.chargeover.com/api/v3
 *                            (required; `/api/v3` is added when missing)
 *   CHARGEOVER_PUBLIC_KEY    ChargeOver REST API public key (required; HTTP Basic user)
 *   CHARGEOVER_PRIVATE_KEY   ChargeOver REST API private key (required; HTTP Basic password)
 *   CUSTOMER_TIMEOUT_MS      per-attempt timeout of every API call (default 5000)
 *   GATEHOUSE_TODAY          optional YYYY-MM-DD pinning "today" (quarters, ticket ages)
 */
import * as z from 'zod';

export interface CustomerConfig {
  hubspot: { baseUrl: string; token: string };
  intercom: { baseUrl: string; token: string };
  chargeover: { baseUrl: string; publicKey: string; privateKey: string };
  timeoutMs: number;
  /** Pinned "today" (YYYY-MM-DD); the real date when absent. */
  today?: string;
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const required = (what: string) => z.string({ error: `is required (${what})` }).min(1);

const EnvSchema = z.object({
  HUBSPOT_BASE_URL: httpUrl.default('https://api.hubapi.com'),
  HUBSPOT_TOKEN: required('a HubSpot private-app access token'),
  INTERCOM_BASE_URL: httpUrl.default('https://api.intercom.io'),
  INTERCOM_TOKEN: required('an Intercom access token'),
  CHARGEOVER_BASE_URL: z.url({
    protocol: /^https?$/,
    error: (issue) =>
      issue.input === undefined
        ? 'is required (your ChargeOver site, e.g. https://yourcompany.chargeover.com)'
        : 'must be an http(s) URL',
  }),
  CHARGEOVER_PUBLIC_KEY: required('the ChargeOver REST API public key'),
  CHARGEOVER_PRIVATE_KEY: required('the ChargeOver REST API private key'),
  CUSTOMER_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(50, { error: 'must be at least 50' })
    .max(120_000, { error: 'must be at most 120000' })
    .default(5_000),
  GATEHOUSE_TODAY: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date YYYY-MM-DD' })
    .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), { error: 'must be a real date' })
    .optional(),
});

/** Reads the environment; empty variables count as unset. Throws one error listing every bad one. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): CustomerConfig {
  const present = Object.fromEntries(
    Object.keys(EnvSchema.shape)
      .map((key) => [key, env[key]?.trim()] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`customer-server: invalid environment\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    hubspot: { baseUrl: e.HUBSPOT_BASE_URL, token: e.HUBSPOT_TOKEN },
    intercom: { baseUrl: e.INTERCOM_BASE_URL, token: e.INTERCOM_TOKEN },
    chargeover: {
      baseUrl: e.CHARGEOVER_BASE_URL,
      publicKey: e.CHARGEOVER_PUBLIC_KEY,
      privateKey: e.CHARGEOVER_PRIVATE_KEY,
    },
    timeoutMs: e.CUSTOMER_TIMEOUT_MS,
    ...(e.GATEHOUSE_TODAY ? { today: e.GATEHOUSE_TODAY } : {}),
  };
}
