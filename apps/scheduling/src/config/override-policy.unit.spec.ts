import { SERVICE_OVERRIDE_POLICY } from './override-policy';

describe('override configuration', () => {
  // OVERRIDE_SWEEP_INTERVAL_MS is a scheduling setting now: scheduling-settings.unit.spec.ts.
  it('decides with a versioned policy', () => {
    expect(SERVICE_OVERRIDE_POLICY.version).toMatch(/^override-policy\//);
  });
});
