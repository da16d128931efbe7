/**
 * The governed-access sections of gatehouse.yaml: who may call (auth), what each role may use
 * (policy), which calls wait for a human (approvals), what is written down (audit), where state
 * lives (storage), and per upstream the injected arguments and forwarded identity. Part of the one
 * zod schema in schema.ts; normalize-access.ts turns these into the runtime model (model-access.ts).
 */
import { z } from 'zod';

export const roleName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'letters, digits, "_", ".", ":" or "-"')
  .max(64);

const principalFields = {
  user: z.string().min(1).describe('User name recorded for this principal.'),
  org: z.string().optional(),
  roles: z.array(roleName).default([]),
};

const OidcClaimsSchema = z
  .object({
    user: z.string().default('sub').describe('Claim (dot path) holding the user name.'),
    org: z.string().optional().describe('Claim holding the organisation.'),
    roles: z.string().optional().describe('Claim holding roles (array or space-separated).'),
  })
  .strict();

/** The console's browser sign-in: an OIDC client of the same issuer, mapped by the same claims. */
const OidcConsoleSchema = z
  .object({
    clientId: z
      .string()
      .min(1)
      .describe("The console's client id at the issuer (authorization code flow with PKCE)."),
    clientSecretEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional()
      .describe(
        'Name of the environment variable holding the client secret, for a confidential client (never the secret itself). Leave out for a public client.',
      ),
    scopes: z
      .array(z.string().min(1))
      .default(['openid', 'profile'])
      .describe(
        'Scopes the console asks for ("openid" is always added). Add the one that puts the roles claim in the ID token if your IdP needs it.',
      ),
  })
  .strict()
  .describe(
    'Sign in to /console through this issuer. The redirect URI to register is <publicUrl origin, else the resource URL origin>/console/oidc/callback.',
  );

export const OidcSchema = z
  .object({
    issuer: z.url().describe('OIDC issuer URL; its discovery document names the JWKS.'),
    audience: z
      .string()
      .optional()
      .describe("Audience tokens must carry; defaults to the gateway's resource URL (publicUrl + path)."),
    jwksUri: z.url().optional().describe('JWKS URL, when the issuer has no discovery document.'),
    requiredScopes: z.array(z.string()).default([]).describe('Scopes every token must carry.'),
    scopesSupported: z.array(z.string()).optional().describe('Scopes advertised in resource metadata.'),
    clockToleranceSec: z.number().int().nonnegative().default(30),
    claims: OidcClaimsSchema.default(OidcClaimsSchema.parse({})),
    roleMap: z
      .record(z.string(), z.array(roleName))
      .optional()
      .describe('IdP role or group → gateway roles; when set, only mapped roles are kept.'),
    console: OidcConsoleSchema.optional(),
  })
  .strict();

export const AuthSchema = z
  .object({
    apiKeys: z
      .boolean()
      .default(true)
      .describe('Accept API keys created with `gatehouse keys create` (Authorization: Bearer ghk_…).'),
    staticKeys: z
      .array(
        z
          .object({
            key: z
              .string()
              .min(32)
              .describe(
                'The secret callers send as `Authorization: Bearer <key>`; use ${ENV} or a file-backed env, never a literal.',
              ),
            ...principalFields,
          })
          .strict(),
      )
      .default([])
      .describe(
        'API keys declared in the config (e.g. from the environment) instead of the key store: for benchmarks, bootstrap admins and automation. Only their SHA-256 is kept in memory.',
      ),
    oidc: OidcSchema.optional(),
    stdio: z
      .object(principalFields)
      .strict()
      .optional()
      .describe('The principal a stdio client acts as (the host that launched the gateway).'),
    anonymous: z
      .object({ roles: z.array(roleName).default([]) })
      .strict()
      .optional()
      .describe(
        'Serve unauthenticated HTTP requests as the principal "anonymous" with these roles. Off unless set.',
      ),
  })
  .strict();

const globs = z.array(z.string().min(1)).min(1);

const APPROVAL_MODES = ['auto', 'in-band', 'queue'] as const;

/** The longest a queued call may be held open for a decision (global and per rule). */
const waitSeconds = z.number().int().nonnegative().max(600);

/** A rule's approval spelled out; what it leaves out comes from the `approvals` section. */
const RuleApprovalSchema = z
  .object({
    mode: z.enum(APPROVAL_MODES).optional().describe('How the approval is asked (default: approvals.mode).'),
    waitSeconds: waitSeconds
      .optional()
      .describe(
        'Hold a queued call of this rule open up to this long for a decision (default: approvals.waitSeconds).',
      ),
  })
  .strict();

export const RuleSchema = z
  .object({
    tools: globs.optional().describe('Exposed tool names (globs: * and ?).'),
    resources: globs.optional().describe('Resource URIs or resource templates (globs).'),
    prompts: globs.optional().describe('Exposed prompt names (globs).'),
    when: z
      .array(z.string())
      .optional()
      .describe('Conditions on arguments, all must hold: `region in ["eu"]`, `amount <= 1000`.'),
    approval: z
      .union([z.boolean(), z.enum(['in-band', 'queue']), RuleApprovalSchema], {
        error: 'expected true, false, "in-band", "queue", or {mode: auto|in-band|queue, waitSeconds: 0–600}',
      })
      .optional()
      .describe(
        'Calls this rule allows need a human approval before they reach the upstream: true (approvals.mode), "in-band" (the calling user confirms), "queue" (an approver decides), or {mode, waitSeconds} to set how long this rule\'s queued calls are held open.',
      ),
  })
  .strict()
  .refine((r) => r.tools !== undefined || r.resources !== undefined || r.prompts !== undefined, {
    message: 'a rule names at least one of tools, resources or prompts',
  });

export const PolicySchema = z
  .object({
    groups: z
      .record(
        roleName,
        z
          .object({
            description: z.string().optional(),
            allow: z.array(RuleSchema).default([]),
            deny: z.array(RuleSchema).default([]),
          })
          .strict(),
      )
      .default({})
      .describe('Permission groups: allow and deny rules. A matching deny always wins.'),
    roles: z
      .record(
        roleName,
        z.object({ description: z.string().optional(), groups: z.array(roleName).default([]) }).strict(),
      )
      .default({})
      .describe('Roles and the permission groups they hold. Anything no group allows is denied.'),
  })
  .strict();

export const ApprovalsSchema = z
  .object({
    mode: z
      .enum(APPROVAL_MODES)
      .default('auto')
      .describe(
        'How `approval: true` is asked: in-band (the calling user confirms through elicitation / input_required), queue (an approver decides out of band), or auto (in-band when the client can answer, else queue).',
      ),
    destructiveTools: z
      .boolean()
      .default(false)
      .describe('Tools whose annotations say destructiveHint: true need an approval too, whatever the rule.'),
    ttlSeconds: z
      .number()
      .int()
      .positive()
      .default(3600)
      .describe(
        "A queued request expires unanswered after this; an approval must be used within it, and an idempotent tool's identical repeat is a replay (no new approval) until then.",
      ),
    waitSeconds: waitSeconds
      .default(0)
      .describe(
        'Hold a queued call open up to this long for a decision before answering "awaiting approval" (a rule may set its own).',
      ),
    approvers: z
      .array(roleName)
      .default([])
      .describe(
        'Roles that may decide queued requests (over the HTTP API with their own credential, or `gatehouse approvals --url`; the CLI on the host accepts only `--by` names that hold one).',
      ),
    allowSelfApproval: z
      .boolean()
      .default(false)
      .describe('Let an approver decide their own request (four-eyes is the default).'),
  })
  .strict();

const RedactSchema = z
  .object({
    fields: z.array(z.string()).default([]).describe('Argument names or dot paths always redacted.'),
    patterns: z
      .array(z.object({ name: z.string().min(1), regex: z.string().min(1) }).strict())
      .default([])
      .describe('Extra patterns redacted inside strings.'),
  })
  .strict();

export const AuditSchema = z
  .object({
    enabled: z.boolean().default(true),
    postgres: z
      .object({
        url: z.string().min(1).describe('postgres:// connection string.'),
        table: z
          .string()
          .regex(/^[a-z_][a-z0-9_]*$/)
          .default('gatehouse_audit'),
      })
      .strict()
      .optional()
      .describe('Write the audit log to PostgreSQL instead of the embedded SQLite store.'),
    redact: RedactSchema.default(RedactSchema.parse({})),
  })
  .strict();

export const StorageSchema = z
  .object({
    path: z
      .string()
      .default('.gatehouse/gatehouse.db')
      .describe('Embedded SQLite database for one process: API keys, approvals, pins and the audit log.'),
    postgres: z
      .object({
        url: z
          .string()
          .min(1)
          .describe(
            'postgres:// connection string; keep the password out of the file by interpolating an environment variable.',
          ),
        poolSize: z
          .number()
          .int()
          .min(1)
          .max(200)
          .default(10)
          .describe(
            "Connections this process keeps open at most, shared by every store (plus one of its own for the session bus's LISTEN).",
          ),
      })
      .strict()
      .optional()
      .describe(
        'Shared state for replicas: API keys, approvals, pins, 2025-era sessions, shaping continuations and the audit chain live in PostgreSQL instead of the embedded file, so any replica serves any request.',
      ),
  })
  .strict();

/** Per-upstream: arguments the gateway fills from the caller, and identity sent along. */
export const InjectSchema = z
  .array(
    z
      .object({
        tools: globs.describe("The upstream's own tool names (globs)."),
        arguments: z
          .record(z.string(), z.enum(['user', 'org', 'principal', 'roles', 'via']))
          .describe('Argument name → principal field. Hidden from the model; what it sends is ignored.'),
      })
      .strict(),
  )
  .default([]);

export const ForwardIdentitySchema = z
  .object({
    headers: z
      .record(z.string(), z.enum(['user', 'org', 'principal', 'roles', 'via']))
      .default({})
      .describe('HTTP upstreams: header name → principal field, sent on every call.'),
    meta: z
      .boolean()
      .default(false)
      .describe('Send the principal in `_meta["dev.gatehouse/principal"]` of each request.'),
  })
  .strict();

/** `forwardIdentity` when an upstream leaves it out: every field at its default. */
export const FORWARD_IDENTITY_DEFAULTS = ForwardIdentitySchema.parse({});
