import { startConfigurationProblem, serviceEnvironment } from './start-config';

describe('startConfigurationProblem', () => {
  it('accepts the defaults', () => {
    expect(startConfigurationProblem({})).toBeUndefined();
  });

  it('names a variable every service refuses once', () => {
    expect(startConfigurationProblem({ DATABASE_URL: 'not a url' })).toMatch(
      /^invalid configuration: DATABASE_URL: expected a URL like postgres:\/\/user@host:5432\/database \(got "not a url"\)/,
    );
  });

  it('names a per-service port by its own variable and the service', () => {
    expect(startConfigurationProblem({ METRICS_GRPC_PORT: '70000' })).toBe(
      'invalid configuration: METRICS_GRPC_PORT: expected a port 0-65535 (got "70000") (metrics)',
    );
  });

  it('names a wrong OpenTelemetry sampler instead of letting the SDK ignore it', () => {
    expect(startConfigurationProblem({ OTEL_TRACES_SAMPLER: 'sometimes' })).toMatch(
      /^invalid configuration: OTEL_TRACES_SAMPLER: .*\(got "sometimes"\)$/,
    );
    expect(
      startConfigurationProblem({
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '2',
      }),
    ).toBe('invalid configuration: OTEL_TRACES_SAMPLER_ARG: expected a ratio 0-1 (got "2")');
    expect(
      startConfigurationProblem({
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }),
    ).toBeUndefined();
  });
});

describe("startConfigurationProblem with the services' own settings", () => {
  it('names a wrong setting of one service, and that service only', () => {
    expect(startConfigurationProblem({ SCHEDULING_MAX_QUEUED_RUNS_PER_JOB: '0' })).toBe(
      'invalid configuration: SCHEDULING_MAX_QUEUED_RUNS_PER_JOB: expected 1-999999999 runs (got "0") (scheduling)',
    );
    expect(startConfigurationProblem({ COMPLIANCE_WEBHOOK_POLL_MS: 'often' })).toBe(
      'invalid configuration: COMPLIANCE_WEBHOOK_POLL_MS: expected milliseconds (got "often") (compliance)',
    );
  });
});

describe('serviceEnvironment', () => {
  it('gives each service its own ports from PLANNING_GRPC_PORT etc., defaults otherwise', () => {
    const env = serviceEnvironment('planning', { PLANNING_GRPC_PORT: '51151', LOG_LEVEL: 'debug' });
    expect(env).toMatchObject({ GRPC_PORT: '51151', HTTP_PORT: '3001', LOG_LEVEL: 'debug' });
  });
});
