/**
 * OpenTelemetry traces: a span per request, per pipeline stage and per upstream attempt. Contexts
 * travel explicitly on the request (no global context manager), so tracing costs nothing when it
 * is off. The W3C `traceparent` is read from the caller (HTTP header, or `_meta.traceparent`) and
 * written to upstreams (HTTP header and `_meta.traceparent`).
 */
import { createRequire } from 'node:module';
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanExporter,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { ObservabilityModel } from '../config/model-observability.ts';

/** The W3C trace-context fields as carried in headers or `_meta`. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

const getter: TextMapGetter<TraceCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => (key === 'traceparent' || key === 'tracestate' ? carrier[key] : undefined),
};

/** One request's place in a trace: the tracing it belongs to and the current span's context. */
export interface TraceScope {
  tracing: Tracing;
  context: Context;
}

/**
 * The OTLP/HTTP exporter, loaded only when traces are sent somewhere: it is the largest part of
 * the OpenTelemetry packages, and most gateways trace in process or not at all.
 */
function otlpExporter(url: string): SpanExporter {
  const { OTLPTraceExporter } = createRequire(import.meta.url)(
    '@opentelemetry/exporter-trace-otlp-http',
  ) as typeof import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter({ url });
}

export class Tracing {
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;
  private readonly propagator = new W3CTraceContextPropagator();

  constructor(model: ObservabilityModel['tracing'], exporter?: SpanExporter) {
    const endpoint = model.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    const processors: SpanProcessor[] = [];
    if (exporter) processors.push(new BatchSpanProcessor({ exporter, scheduledDelayMillis: 200 }));
    else if (endpoint) processors.push(new BatchSpanProcessor({ exporter: otlpExporter(endpoint) }));
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': model.serviceName }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(model.sampleRatio) }),
      spanProcessors: processors,
    });
    this.tracer = this.provider.getTracer('gatehouse');
  }

  /** Starts a request's server span, continuing the caller's trace when it sent one. */
  startRequest(
    name: string,
    attributes: Attributes,
    carrier: TraceCarrier,
  ): { span: Span; scope: TraceScope } {
    const parent = carrier.traceparent
      ? this.propagator.extract(ROOT_CONTEXT, carrier, getter)
      : ROOT_CONTEXT;
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    return { span, scope: { tracing: this, context: trace.setSpan(parent, span) } };
  }

  /** Starts a child span of `scope`. */
  startChild(
    scope: TraceScope,
    name: string,
    attributes: Attributes = {},
    kind: SpanKind = SpanKind.INTERNAL,
  ): { span: Span; scope: TraceScope } {
    const span = this.tracer.startSpan(name, { kind, attributes }, scope.context);
    return { span, scope: { tracing: this, context: trace.setSpan(scope.context, span) } };
  }

  /** The trace context to hand to an upstream (headers and `_meta`). */
  carrierFor(scope: TraceScope): TraceCarrier {
    const carrier: Record<string, string> = {};
    this.propagator.inject(scope.context, carrier, {
      set: (c, key, value) => {
        c[key] = value;
      },
    });
    return carrier;
  }

  async flush(): Promise<void> {
    await this.provider.forceFlush();
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}

/** The trace id of a scope, for logs and the audit record. */
export function traceIdOf(scope: TraceScope | undefined): string | null {
  if (scope === undefined) return null;
  const id = trace.getSpanContext(scope.context)?.traceId;
  return id === undefined ? null : id;
}

/** Ends a span with the outcome of what it covered. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  span.end();
}

/** Reads a W3C carrier from `_meta` (SEP-414 style keys) or HTTP headers. */
/** Reads a header by (lower-case) name: a web `Headers`, or the call lane's view of Node's. */
export interface HeaderReader {
  get(name: string): string | null;
}

export function carrierFrom(
  meta: Record<string, unknown> | undefined,
  headers: HeaderReader | undefined,
): TraceCarrier {
  const fromMeta = typeof meta?.traceparent === 'string' ? meta.traceparent : undefined;
  const traceparent = fromMeta ?? headers?.get('traceparent') ?? undefined;
  if (traceparent === undefined) return {};
  const state = fromMeta !== undefined ? meta?.tracestate : headers?.get('tracestate');
  return typeof state === 'string' ? { traceparent, tracestate: state } : { traceparent };
}
