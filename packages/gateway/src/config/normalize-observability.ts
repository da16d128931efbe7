/** normalize() for `logging` and `observability`: absent values made explicit (null). Pure. */
import type { LoggingModel, ObservabilityModel } from './model-observability.ts';
import type { LoggingParsed, ObservabilityParsed } from './schema-observability.ts';

export function normalizeLogging(parsed: LoggingParsed): LoggingModel {
  return { level: parsed.level };
}

export function normalizeObservability(parsed: ObservabilityParsed): ObservabilityModel {
  const t = parsed.tracing;
  return {
    metrics: {
      enabled: parsed.metrics.enabled,
      path: parsed.metrics.path,
      token: parsed.metrics.token ? parsed.metrics.token : null,
    },
    tracing: {
      enabled: t.enabled,
      otlpEndpoint: t.otlpEndpoint ?? null,
      serviceName: t.serviceName,
      sampleRatio: t.sampleRatio,
    },
  };
}
