import { ValidationError } from '@trainyard/kernel';
import { SERVICE_OVERRIDE_POLICY, overrideSweepIntervalMs } from './override-policy';

describe('override configuration', () => {
  it('sweeps every minute unless OVERRIDE_SWEEP_INTERVAL_MS says otherwise', () => {
    expect(overrideSweepIntervalMs({})).toBe(60_000);
    expect(overrideSweepIntervalMs({ OVERRIDE_SWEEP_INTERVAL_MS: '250' })).toBe(250);
  });

  it.each(['0', '-5', '1.5', 'soon', '99999999999'])(
    'refuses OVERRIDE_SWEEP_INTERVAL_MS=%s naming the variable',
    (value) => {
      expect(() => overrideSweepIntervalMs({ OVERRIDE_SWEEP_INTERVAL_MS: value })).toThrow(
        ValidationError,
      );
    },
  );

  it('decides with a versioned policy', () => {
    expect(SERVICE_OVERRIDE_POLICY.version).toMatch(/^override-policy\//);
  });
});
