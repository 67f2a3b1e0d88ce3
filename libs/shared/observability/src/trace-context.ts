import {
  context as contexts,
  isSpanContextValid,
  trace,
  TraceFlags,
  type Context,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';

/**
 * The active W3C trace context, to store with events so the relay can continue the trace: what
 * the W3C propagator would inject (same checks, same format), formatted directly instead of
 * through a carrier and every registered propagator, since it runs once per command.
 */
export function currentTraceContext(
  active: Context = contexts.active(),
): { traceparent: string; tracestate?: string } | undefined {
  const span = trace.getSpanContext(active);
  if (!span || isTracingSuppressed(active) || !isSpanContextValid(span)) return undefined;
  const flags = Number(span.traceFlags || TraceFlags.NONE).toString(16);
  const traceparent = `00-${span.traceId}-${span.spanId}-0${flags}`;
  const tracestate = span.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}
