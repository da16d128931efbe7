/**
 * Observability in gatehouse.yaml: the `logging` section (level) and the `observability` section
 * (Prometheus metrics, OpenTelemetry traces). Part of the one zod schema in schema.ts;
 * normalize-observability.ts turns them into the runtime model (model-observability.ts). Logs
 * always go to stderr: stdout carries the stdio protocol.
 */
import { z } from 'zod';

export const LoggingSchema = z
  .object({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  })
  .strict();

export const MetricsSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Serve Prometheus metrics on the HTTP listener.'),
    path: z.string().startsWith('/').default('/metrics'),
    token: z
      .string()
      .optional()
      .describe('When set (non-empty), scrapes must send `Authorization: Bearer <token>` (use ${VAR}).'),
  })
  .strict();

export const TracingSchema = z
  .object({
    enabled: z
      .boolean()
      .default(false)
      .describe('Record OpenTelemetry spans: one per request, per pipeline stage and per upstream call.'),
    otlpEndpoint: z
      .url()
      .optional()
      .describe(
        'OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces (default: $OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else none).',
      ),
    serviceName: z.string().default('gatehouse'),
    sampleRatio: z.number().min(0).max(1).default(1).describe('Share of new traces recorded.'),
  })
  .strict();

export const ObservabilitySchema = z
  .object({
    metrics: MetricsSchema.default(MetricsSchema.parse({})),
    tracing: TracingSchema.default(TracingSchema.parse({})),
  })
  .strict();

export type LoggingParsed = z.output<typeof LoggingSchema>;
export type ObservabilityParsed = z.output<typeof ObservabilitySchema>;
