import { NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface Telemetry {
  /** True when spans are exported over OTLP (an endpoint variable is set). */
  readonly exporting: boolean;
  /** Flushes spans not yet exported, then stops the SDK. */
  shutdown(): Promise<void>;
}

const HEALTH_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Whether OpenTelemetry metrics are asked for: `OTEL_METRICS_EXPORTER` set (to anything but
 * `none`), or an OTLP endpoint for metrics (`OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, or the base
 * `OTEL_EXPORTER_OTLP_ENDPOINT`). The services' own metrics are Prometheus (`/metrics`).
 */
export function otelMetricsRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const exporters = (env.OTEL_METRICS_EXPORTER ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (exporters.includes('none')) return false;
  return (
    exporters.length > 0 ||
    Boolean(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT)
  );
}

/** Whether the standard OTLP endpoint variables ask for trace export. */
export function otlpTraceExportRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

/**
 * Starts the OpenTelemetry Node SDK. Call it before anything requires grpc-js, http, pg or kafkajs
 * (main.ts does, then requires the service), so the instrumentations can patch them.
 *
 * A tracer provider is always registered, so every gRPC call and HTTP request gets a span with
 * real ids whether or not it is exported: log lines carry its trace id and every command stores
 * its `traceparent` with the events it appends. Spans are exported over OTLP/HTTP (protobuf) when
 * OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, and otherwise ended
 * without going anywhere. The sampler follows the standard OTEL_TRACES_SAMPLER and
 * OTEL_TRACES_SAMPLER_ARG (default parentbased_always_on); a span the sampler drops still has
 * valid ids (trace flags 00), so the trace context is captured on every command regardless.
 * The exporter and the batch processor read the other standard OTEL_EXPORTER_OTLP_* and OTEL_BSP_*
 * variables from the process environment.
 *
 * kafkajs is deliberately not instrumented: its instrumentation overwrites `traceparent` on every
 * produced message, so the relay would replace the command's trace context stored with each event
 * by its own. The relay sets `traceparent` from the event instead (libs/shared/messaging README).
 */
export function startTelemetry(serviceName: string): Telemetry {
  const exporting = otlpTraceExportRequested();
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: `trainyard-${serviceName}`,
      [ATTR_SERVICE_VERSION]: '0.1.0',
    }),
    // Without a metrics exporter configured, the SDK would default to OTLP at localhost:4318 and
    // record every instrument (pg's per-query duration and pool counters, http durations) for an
    // export that goes nowhere: a measurable share of a small command's CPU. No reader, no
    // MeterProvider: the instrumentations' metrics are then no-ops. Configured, the SDK reads them
    // from the environment as before.
    ...(otelMetricsRequested() ? {} : { metricReaders: [] }),
    // Never an empty list: with none the SDK registers no tracer provider and spans get no ids.
    ...(exporting
      ? { traceExporter: new OTLPTraceExporter() }
      : { spanProcessors: [new tracing.NoopSpanProcessor()] }),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => HEALTH_PATHS.has(request.url ?? ''),
      }),
      new ExpressInstrumentation(),
      new NestInstrumentation(),
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch', 'ServerReflectionInfo'] }),
      // No span for taking a client from the pool: the query's own span follows at once, and a
      // command paid for two spans per statement.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    ],
  });
  sdk.start();
  return { exporting, shutdown: () => sdk.shutdown().catch(() => undefined) };
}
