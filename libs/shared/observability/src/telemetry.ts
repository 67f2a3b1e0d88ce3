import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface Telemetry {
  shutdown(): Promise<void>;
}

const HEALTH_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Starts the OpenTelemetry Node SDK. Call it before anything requires grpc-js, http, pg or kafkajs
 * (main.ts does, then requires the service), so the instrumentations can patch them. Spans are
 * always created, so logs carry trace ids; they are exported over OTLP only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, and otherwise dropped silently.
 *
 * kafkajs is deliberately not instrumented: its instrumentation overwrites `traceparent` on every
 * produced message, so the relay would replace the command's trace context stored with each event
 * by its own. The relay sets `traceparent` from the event instead (libs/shared/messaging README).
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): Telemetry {
  const exporting = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: `trainyard-${serviceName}`, [ATTR_SERVICE_VERSION]: '0.1.0' }),
    // Without an endpoint: an empty list (spans and ids still exist) instead of the SDK's default exporter.
    spanProcessors: [],
    ...(exporting ? { traceExporter: new OTLPTraceExporter() } : {}),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => HEALTH_PATHS.has(request.url ?? '') }),
      new ExpressInstrumentation(),
      new NestInstrumentation(),
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch', 'ServerReflectionInfo'] }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown().catch(() => undefined) };
}
