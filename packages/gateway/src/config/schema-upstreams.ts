/**
 * The `upstreams[]` section of gatehouse.yaml: stdio and HTTP upstream MCP servers, their
 * namespacing, restart and credentials; the per-upstream resilience, pinning, shaping, injection
 * and identity forwarding come from their own section schemas. Part of the one zod schema in
 * schema.ts; normalize-upstreams.ts turns it into the runtime model (model-upstreams.ts).
 */
import { z } from 'zod';
import { ForwardIdentitySchema, InjectSchema } from './schema-access.ts';
import { UpstreamPinningSchema } from './schema-pins.ts';
import { ResilienceSchema } from './schema-resilience.ts';
import { ShapingSchema } from './schema-shaping.ts';

/**
 * What an upstream field is when the file leaves it out, for the fields that have no zod
 * `.default()`: `protocol` depends on the transport (and `prefix` is the upstream's name), and
 * the others stay optional so that the published JSON Schema names no default for them (the
 * descriptions quote these values). normalize-upstreams.ts applies them.
 */
export const UPSTREAM_DEFAULTS = {
  separator: '_',
  protocol: { stdio: 'legacy', http: 'auto' },
  timeoutMs: 60_000,
  maxInFlight: 64,
  required: false,
  enabled: true,
} as const;

const defaults = UPSTREAM_DEFAULTS;

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "." or "-", starting with a letter or digit')
  .max(64);

const namespacing = {
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_.-]*$/)
    .max(32)
    .optional()
    .describe(
      'Namespace prefix for this upstream\'s tools and prompts. Defaults to the upstream name; "" means none.',
    ),
  separator: z
    .string()
    .regex(/^[_.-]{1,2}$/)
    .optional()
    .describe(`Separator between prefix and name (default "${defaults.separator}").`),
  protocol: z
    .enum(['auto', 'legacy', '2026-07-28'])
    .optional()
    .describe(
      `Which protocol era to speak upstream: auto probes server/discover then falls back to initialize; legacy uses the 2025 handshake; 2026-07-28 pins the stateless revision. Defaults: http ${defaults.protocol.http}, stdio ${defaults.protocol.stdio}.`,
    ),
  timeoutMs: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(`Per-request timeout towards this upstream (default ${defaults.timeoutMs}).`),
  maxInFlight: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      `Bulkhead: calls in flight to this upstream at once; beyond it up to resilience.queue wait, more are refused with UpstreamOverloaded (default ${defaults.maxInFlight}).`,
    ),
  resilience: ResilienceSchema.optional().describe(
    'Deadline, retries, circuit breaker, queue and health probing for this upstream (field by field over the top-level resilience).',
  ),
  required: z
    .boolean()
    .optional()
    .describe(`/readyz reports not ready while this upstream is unreachable (default ${defaults.required}).`),
  enabled: z
    .union([z.boolean(), z.enum(['true', 'false', ''])])
    .optional()
    .describe(
      `false leaves this upstream out (default ${defaults.enabled}). Strings from the environment work: "" — e.g. \`\${UPSTREAM_URL:+true}\` with the variable unset — counts as false.`,
    ),
  inject: InjectSchema.describe('Server-controlled arguments filled from the caller.'),
  forwardIdentity: ForwardIdentitySchema.optional().describe('How the caller is named to this upstream.'),
  shaping: ShapingSchema.describe(
    "Response shaping: per tool (the upstream's own names), pick / omit / rename fields, truncate strings, cap arrays and page over a token budget. The first matching rule applies.",
  ),
  pinning: UpstreamPinningSchema.optional().describe(
    'Tool-definition pinning for this upstream: false turns it off; an object overrides the top-level pinning.',
  ),
};

export const RestartSchema = z
  .object({
    initialDelayMs: z.number().int().positive().default(250),
    maxDelayMs: z.number().int().positive().default(30_000),
    maxRestarts: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Give up after this many consecutive failed restarts (default: never give up).'),
  })
  .strict();

export const StdioUpstreamSchema = z
  .object({
    name,
    transport: z.literal('stdio'),
    command: z.string().min(1).describe('Executable to run.'),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}).describe('Extra environment for the child process.'),
    cwd: z.string().optional(),
    restart: RestartSchema.optional(),
    ...namespacing,
  })
  .strict();

export const CredentialSchema = z
  .object({
    header: z.string().default('Authorization').describe('Header that carries the credential.'),
    scheme: z.string().default('Bearer').describe('Prefix before the secret ("" for none).'),
    fromEnv: z.string().optional().describe('Environment variable holding the secret.'),
    fromFile: z.string().optional().describe('File holding the secret (trailing newline trimmed).'),
  })
  .strict()
  .refine((c) => (c.fromEnv === undefined) !== (c.fromFile === undefined), {
    message: 'exactly one of fromEnv or fromFile',
  });

export const UpstreamTlsSchema = z
  .object({
    ca: z
      .string()
      .min(1)
      .describe(
        "PEM file of the CA the upstream's certificate must be signed by; the system's trusted CAs are not used.",
      ),
    cert: z
      .string()
      .min(1)
      .optional()
      .describe('PEM file of the certificate the gateway presents (mutual TLS); with key.'),
    key: z.string().min(1).optional().describe("PEM file of that certificate's private key; with cert."),
    serverName: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The name the upstream's certificate must carry, when it is not the URL's host (also sent as SNI).",
      ),
  })
  .strict()
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: 'cert and key go together: give both, or neither',
  });

export const HttpUpstreamSchema = z
  .object({
    name,
    transport: z.literal('http'),
    url: z.url().describe('Streamable HTTP endpoint of the upstream MCP server.'),
    headers: z.record(z.string(), z.string()).default({}).describe('Static headers sent on every request.'),
    credential: CredentialSchema.optional().describe(
      'Service credential the gateway injects; callers never hold it.',
    ),
    tls: UpstreamTlsSchema.optional().describe(
      "TLS towards an https:// upstream: the CA its certificate is checked against, and the gateway's client certificate for mutual TLS. Paths are relative to this file; the files are read at start and on reload.",
    ),
    ...namespacing,
  })
  .strict();

export const UpstreamSchema = z.discriminatedUnion('transport', [StdioUpstreamSchema, HttpUpstreamSchema]);

/** `restart` when the file leaves it out: every field at its default. */
export const RESTART_DEFAULTS = RestartSchema.parse({});

export type UpstreamParsed = z.output<typeof UpstreamSchema>;
export type UpstreamTlsParsed = z.output<typeof UpstreamTlsSchema>;
