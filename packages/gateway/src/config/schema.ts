/**
 * What users write in gatehouse.yaml: one zod schema. `normalize()` turns it into the runtime
 * model; `scripts/gen-schema.ts` turns it into schema/gatehouse.schema.json for editors.
 *
 * One convention for every section:
 *
 * - `schema-<section>.ts` — the zod schema of the input. A default is written there, once: as a
 *   zod `.default()` (which the JSON Schema publishes), or, where zod must leave the field empty
 *   (its value comes from another level, such as an upstream's field from the top-level section;
 *   it depends on other fields; or the published JSON Schema names no default for it), as an
 *   exported `<SECTION>_DEFAULTS` constant that the field's description quotes. An optional
 *   object whose fields have defaults is filled with `XSchema.parse({})`, never a restated
 *   literal.
 * - `normalize-<section>.ts` — a pure `normalize<Section>()` from the parsed input to the model:
 *   absent optional values become explicit (`null`, or an empty list where none means nothing),
 *   paths and references are resolved, cross-field rules are checked (issues name their path).
 *   It writes no default value of its own: it reads the parsed value or the schema's constant.
 * - `model-<section>.ts` — the model types, written out (never inferred from zod).
 *
 * Sections: server, upstreams, access (auth, policy, approvals, audit, storage, inject,
 * forwardIdentity), limits (rateLimits), pins (pinning), resilience, observability (logging,
 * observability), search (toolSearch) and shaping. conditions.ts, shaping-paths.ts and file-paths.ts are parsers and
 * helpers that normalize uses. This file composes the section schemas; normalize.ts and model.ts
 * compose the rest. Nothing in config/ imports from above it (only zod, yaml, node builtins and
 * errors/); test/layering.test.ts checks that.
 */
import { z } from 'zod';
import { ApprovalsSchema, AuditSchema, AuthSchema, PolicySchema, StorageSchema } from './schema-access.ts';
import { RateLimitsSchema } from './schema-limits.ts';
import { LoggingSchema, ObservabilitySchema } from './schema-observability.ts';
import { PinningSchema } from './schema-pins.ts';
import { ResilienceSchema } from './schema-resilience.ts';
import { ToolSearchSchema } from './schema-search.ts';
import { ServerSchema } from './schema-server.ts';
import { UpstreamSchema } from './schema-upstreams.ts';

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
    toolSearch: ToolSearchSchema.default(ToolSearchSchema.parse({})).describe(
      'Search mode for large catalogs: chosen roles list a few core tools plus search_tools and call_tool.',
    ),
    resilience: ResilienceSchema.optional().describe(
      'Defaults for every upstream: deadline, retries, circuit breaker, queue and health probing.',
    ),
    logging: LoggingSchema.default(LoggingSchema.parse({})).describe('JSON logs on stderr.'),
    observability: ObservabilitySchema.default(ObservabilitySchema.parse({})).describe(
      'Prometheus metrics and OpenTelemetry traces.',
    ),
  })
  .strict();

export type GatewayConfigInput = z.input<typeof GatewayConfigSchema>;
export type GatewayConfigParsed = z.output<typeof GatewayConfigSchema>;
