/**
 * What users write in gatehouse.yaml: one zod schema. `normalize()` turns it into the runtime
 * model; `scripts/gen-schema.ts` turns it into schema/gatehouse.schema.json for editors.
 */
import { z } from 'zod';
import { ShapingSchema } from '../shaping/schema.ts';
import {
  ApprovalsSchema,
  AuditSchema,
  AuthSchema,
  ForwardIdentitySchema,
  InjectSchema,
  PolicySchema,
  StorageSchema,
} from './schema-access.ts';
import { RateLimitsSchema } from './schema-limits.ts';
import { LoggingSchema, ObservabilitySchema } from './schema-observability.ts';
import { PinningSchema, UpstreamPinningSchema } from './schema-pins.ts';
import { ResilienceSchema } from './schema-resilience.ts';

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
    .describe('Separator between prefix and name (default "_").'),
  protocol: z
    .enum(['auto', 'legacy', '2026-07-28'])
    .optional()
    .describe(
      'Which protocol era to speak upstream: auto probes server/discover then falls back to initialize; legacy uses the 2025 handshake; 2026-07-28 pins the stateless revision. Defaults: http auto, stdio legacy.',
    ),
  timeoutMs: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Per-request timeout towards this upstream (default 60000).'),
  maxInFlight: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      'Bulkhead: calls in flight to this upstream at once; beyond it up to resilience.queue wait, more are refused with UpstreamOverloaded (default 64).',
    ),
  resilience: ResilienceSchema.optional().describe(
    'Deadline, retries, circuit breaker, queue and health probing for this upstream (field by field over the top-level resilience).',
  ),
  required: z
    .boolean()
    .optional()
    .describe('/readyz reports not ready while this upstream is unreachable (default false).'),
  enabled: z
    .union([z.boolean(), z.enum(['true', 'false', ''])])
    .optional()
    .describe(
      'false leaves this upstream out (default true). Strings from the environment work: "" — e.g. `${UPSTREAM_URL:+true}` with the variable unset — counts as false.',
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

const restart = z
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
    restart: restart.optional(),
    ...namespacing,
  })
  .strict();

const credential = z
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

export const HttpUpstreamSchema = z
  .object({
    name,
    transport: z.literal('http'),
    url: z.url().describe('Streamable HTTP endpoint of the upstream MCP server.'),
    headers: z.record(z.string(), z.string()).default({}).describe('Static headers sent on every request.'),
    credential: credential
      .optional()
      .describe('Service credential the gateway injects; callers never hold it.'),
    ...namespacing,
  })
  .strict();

export const UpstreamSchema = z.discriminatedUnion('transport', [StdioUpstreamSchema, HttpUpstreamSchema]);

export const ServerSchema = z
  .object({
    host: z.string().default('127.0.0.1').describe('Interface to listen on.'),
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    path: z.string().startsWith('/').default('/mcp'),
    publicUrl: z.url().optional().describe('URL clients use to reach the gateway, when behind a proxy.'),
    allowedHosts: z
      .array(z.string())
      .default([])
      .describe('Host header names accepted besides localhost names (DNS-rebinding protection).'),
    allowedOrigins: z
      .array(z.string())
      .default([])
      .describe('Origin hostnames accepted besides localhost (DNS-rebinding protection).'),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024),
    maxJsonDepth: z
      .number()
      .int()
      .min(8)
      .max(256)
      .default(64)
      .describe(
        'Deepest nesting of arrays and objects in an incoming message (the message itself is level 1); deeper ones are refused with -32600 before they are parsed. At most 256: far deeper messages exhaust the stack of the recursive walks behind admission.',
      ),
    maxJsonElements: z
      .number()
      .int()
      .positive()
      .default(100_000)
      .describe(
        'Most array items plus object members in an incoming message; more are refused with -32600 before they are parsed.',
      ),
    sessionIdleMs: z
      .number()
      .int()
      .positive()
      .default(30 * 60_000)
      .describe('Idle 2025-era sessions end after this.'),
    maxSessions: z.number().int().positive().default(10_000),
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(1000)
      .describe(
        'Items per page of merged lists (tools, prompts, resources): one round trip for most catalogs.',
      ),
    maxNameLength: z.number().int().min(16).max(128).default(64),
    listTtlMs: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe('ttlMs advertised on 2026-07-28 list results.'),
    drainTimeoutMs: z
      .number()
      .int()
      .nonnegative()
      .default(20_000)
      .describe('On SIGTERM, how long in-flight calls may finish before they are cancelled.'),
    callLane: z
      .boolean()
      .default(true)
      .describe(
        'Serve plain HTTP tools/call and tools/list requests on the lean call lane (same pipeline, same answers; no SDK server in the way). false sends every request through the SDK server.',
      ),
  })
  .strict();

export const GatewayConfigSchema = z
  .object({
    $schema: z.string().optional(),
    server: ServerSchema.default(ServerSchema.parse({})),
    upstreams: z.array(UpstreamSchema).default([]),
    auth: AuthSchema.default(AuthSchema.parse({})).describe(
      'Who may call: API keys, OIDC, stdio, anonymous.',
    ),
    policy: PolicySchema.default(PolicySchema.parse({})).describe(
      'What each role may use. Deny by default: with no policy, nothing is visible.',
    ),
    approvals: ApprovalsSchema.default(ApprovalsSchema.parse({})).describe(
      'Human approval of calls that policy marks: in-band to the caller, or an approval queue.',
    ),
    rateLimits: RateLimitsSchema.default(RateLimitsSchema.parse({})).describe(
      'Rate limits and quotas per principal, role, tool and/or upstream; in memory, or shared in Redis.',
    ),
    audit: AuditSchema.default(AuditSchema.parse({})),
    pinning: PinningSchema.default(PinningSchema.parse({})).describe(
      'Tool-definition pinning: upstream tool changes are held until an admin approves them.',
    ),
    storage: StorageSchema.default(StorageSchema.parse({})),
    resilience: ResilienceSchema.optional().describe(
      'Defaults for every upstream: deadline, retries, circuit breaker, queue and health probing.',
    ),
    logging: LoggingSchema.default({ level: 'info' }).describe('JSON logs on stderr.'),
    observability: ObservabilitySchema.default(ObservabilitySchema.parse({})).describe(
      'Prometheus metrics and OpenTelemetry traces.',
    ),
  })
  .strict();

export type GatewayConfigInput = z.input<typeof GatewayConfigSchema>;
export type GatewayConfigParsed = z.output<typeof GatewayConfigSchema>;
