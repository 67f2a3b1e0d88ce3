import { ROOT_CONTEXT, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { suppressTracing, TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import { currentTraceContext } from './trace-context';

const span: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
};

/** What the W3C propagator writes for the same context. */
const injected = (active = ROOT_CONTEXT): Record<string, string> => {
  const carrier: Record<string, string> = {};
  new W3CTraceContextPropagator().inject(active, carrier, {
    set: (c, key, value) => (c[key] = value),
  });
  return carrier;
};

describe('currentTraceContext', () => {
  it('given a sampled span, when read, then it is the traceparent the W3C propagator writes', () => {
    const active = trace.setSpanContext(ROOT_CONTEXT, span);
    expect(currentTraceContext(active)).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(currentTraceContext(active)).toEqual(injected(active));
  });

  it('given an unsampled span with a trace state, when read, then flags 00 and the state', () => {
    const active = trace.setSpanContext(ROOT_CONTEXT, {
      ...span,
      traceFlags: TraceFlags.NONE,
      traceState: new TraceState('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'),
    });
    expect(currentTraceContext(active)).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
      tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
    });
    expect(currentTraceContext(active)).toEqual(injected(active));
  });

  it('given no span, an invalid one or suppressed tracing, when read, then there is none', () => {
    expect(currentTraceContext(ROOT_CONTEXT)).toBeUndefined();
    expect(
      currentTraceContext(trace.setSpanContext(ROOT_CONTEXT, { ...span, traceId: '0'.repeat(32) })),
    ).toBeUndefined();
    expect(
      currentTraceContext(suppressTracing(trace.setSpanContext(ROOT_CONTEXT, span))),
    ).toBeUndefined();
  });
});
