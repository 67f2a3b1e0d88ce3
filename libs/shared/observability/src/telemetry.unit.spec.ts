import { otelMetricsRequested } from './telemetry';

describe('otelMetricsRequested', () => {
  it('given no metrics exporter and no OTLP endpoint, when asked, then metrics are off', () => {
    expect(otelMetricsRequested({})).toBe(false);
    expect(
      otelMetricsRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }),
    ).toBe(false);
  });

  it('given an OTLP endpoint for metrics or for everything, when asked, then metrics are on', () => {
    expect(otelMetricsRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(true);
    expect(
      otelMetricsRequested({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://c:4318/v1/metrics' }),
    ).toBe(true);
  });

  it('given OTEL_METRICS_EXPORTER, when asked, then it decides ("none" wins over an endpoint)', () => {
    expect(otelMetricsRequested({ OTEL_METRICS_EXPORTER: 'console' })).toBe(true);
    expect(otelMetricsRequested({ OTEL_METRICS_EXPORTER: 'otlp, prometheus' })).toBe(true);
    expect(
      otelMetricsRequested({
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      }),
    ).toBe(false);
  });
});
