import { ConfigurationError, loadServiceConfig } from '@trainyard/platform';
import { jobRuntimeSettings } from './job-runtime.host';

// The runtime's settings come from the platform's configuration schema (SCHEDULING_JOB_*), not
// from process.env read here and there: defaults, values given, and a wrong value named.
describe('job runtime settings', () => {
  it('given nothing, defaults: 24 workers, 30 s leases, prod, scheduler on, a host-pid instance id', () => {
    const settings = jobRuntimeSettings(loadServiceConfig('scheduling', {}));
    expect(settings).toMatchObject({
      concurrency: 24,
      leaseMs: 30_000,
      environment: 'prod',
      scheduler: true,
    });
    expect(settings.instanceId).toMatch(new RegExp(`-${process.pid}$`));
  });

  it('given values, uses them', () => {
    const config = loadServiceConfig('scheduling', {
      SCHEDULING_JOB_WORKERS: '0',
      SCHEDULING_JOB_INSTANCE_ID: 'sched-b',
      SCHEDULING_JOB_LEASE_MS: '5000',
      SCHEDULING_JOB_ENVIRONMENT: 'staging',
      SCHEDULING_JOB_SCHEDULER: 'off',
      SCHEDULING_JOB_DRAIN_MS: '2500',
    });
    expect(jobRuntimeSettings(config)).toEqual({
      instanceId: 'sched-b',
      concurrency: 0,
      leaseMs: 5_000,
      environment: 'staging',
      scheduler: false,
    });
    expect(config.SCHEDULING_JOB_DRAIN_MS).toBe(2_500);
  });

  it.each([
    ['SCHEDULING_JOB_WORKERS', '-1'],
    ['SCHEDULING_JOB_WORKERS', 'many'],
    ['SCHEDULING_JOB_LEASE_MS', '10'],
    ['SCHEDULING_JOB_ENVIRONMENT', 'production'],
    ['SCHEDULING_JOB_SCHEDULER', 'true'],
    ['SCHEDULING_JOB_INSTANCE_ID', 'has spaces'],
  ])('refuses %s=%s, naming the variable', (variable, value) => {
    const load = () => loadServiceConfig('scheduling', { [variable]: value });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(new RegExp(`${variable}: .*\\(got "${value}"\\)`));
  });
});
