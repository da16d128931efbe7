/** The runtime model of `logging` and `observability` (see schema-observability.ts). */

export interface LoggingModel {
  level: string;
}

export interface ObservabilityModel {
  metrics: { enabled: boolean; path: string; token: string | null };
  /** otlpEndpoint null: $OTEL_EXPORTER_OTLP_TRACES_ENDPOINT at start-up, else spans stay in process. */
  tracing: { enabled: boolean; otlpEndpoint: string | null; serviceName: string; sampleRatio: number };
}
