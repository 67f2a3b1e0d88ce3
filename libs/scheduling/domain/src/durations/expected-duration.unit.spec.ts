import type { ValidationError } from '@trainyard/kernel';
import fc from 'fast-check';
import { DEFAULT_DURATION_POLICY, assertValidDurationPolicy } from './duration-policy';
import type { DurationPolicy } from './duration-policy';
import {
  durationStatistics,
  durationVariance,
  expectedDuration,
  minutesBetween,
  nearestRankPercentile,
} from './expected-duration';

const policy: DurationPolicy = { ...DEFAULT_DURATION_POLICY, minSamples: 3, maxSamples: 10 };
const minutes = fc.array(fc.integer({ min: 0, max: 24 * 60 }), { maxLength: 40 });

describe('expected durations', () => {
  describe('given no past deployments of the type', () => {
    it('uses the configured default of the type', () => {
      expect(expectedDuration('configuration-only', [], policy)).toEqual({
        workloadType: 'configuration-only',
        minutes: 15,
        basis: 'configured-default',
        samples: 0,
        percentile: 90,
        policyVersion: DEFAULT_DURATION_POLICY.version,
      });
    });

    it('uses the fallback for a type without a configured default', () => {
      expect(expectedDuration('database-migration', [], policy).minutes).toBe(60);
      expect(expectedDuration('constructor', [], policy).minutes).toBe(60);
    });
  });

  describe('given fewer actuals than the minimum sample count', () => {
    it('still uses the default, even when the actuals were shorter', () => {
      expect(expectedDuration('defect-fix', [5, 6], policy)).toMatchObject({
        minutes: 30,
        basis: 'configured-default',
        samples: 2,
      });
    });
  });

  describe('given enough actuals', () => {
    it('uses the conservative percentile of the actuals, not the default', () => {
      const actuals = [10, 12, 11, 13, 40, 12, 11, 10, 12, 14];
      expect(expectedDuration('defect-fix', actuals, policy)).toMatchObject({
        minutes: 14,
        basis: 'observed-percentile',
        samples: 10,
      });
    });

    it('counts only the most recent maxSamples actuals', () => {
      const old = Array.from({ length: 10 }, () => 120);
      const recent = Array.from({ length: 10 }, () => 20);
      expect(expectedDuration('defect-fix', [...old, ...recent], policy).minutes).toBe(20);
    });

    it('rounds a fractional percentile up to a whole minute', () => {
      expect(expectedDuration('defect-fix', [10.2, 10.4, 10.5], policy).minutes).toBe(11);
    });
  });

  describe('variance', () => {
    it('records expected against actual; positive means it overran', () => {
      expect(durationVariance(30, 45)).toEqual({
        expectedMinutes: 30,
        actualMinutes: 45,
        varianceMinutes: 15,
        ratio: 1.5,
      });
    });

    it('measures actual minutes between two instants', () => {
      expect(minutesBetween('2026-12-01T10:00:00Z', '2026-12-01T10:42:30Z')).toBe(42.5);
    });

    it('serves p50, p90, mean and mean variance per workload type', () => {
      const finished = [10, 20, 30, 40].map((actualMinutes) => ({
        actualMinutes,
        expectedMinutes: 30,
      }));
      expect(durationStatistics('defect-fix', finished, policy)).toMatchObject({
        samples: 4,
        p50Minutes: 20,
        p90Minutes: 40,
        meanActualMinutes: 25,
        meanVarianceMinutes: -5,
        expected: { minutes: 40, basis: 'observed-percentile' },
      });
    });

    it('serves nulls for a type without finished deployments', () => {
      expect(durationStatistics('defect-fix', [], policy)).toMatchObject({
        p50Minutes: null,
        p90Minutes: null,
        meanVarianceMinutes: null,
        expected: { minutes: 30 },
      });
    });
  });

  describe('the policy', () => {
    it.each([
      ['percentile', { percentile: 0 }],
      ['percentile', { percentile: 101 }],
      ['minSamples', { minSamples: 0 }],
      ['maxSamples', { maxSamples: 2, minSamples: 3 }],
      ['fallbackMinutes', { fallbackMinutes: -1 }],
      ['defaults.defect-fix', { defaults: { 'defect-fix': Number.NaN } }],
    ])('refuses a bad %s', (field, change) => {
      expect(() => assertValidDurationPolicy({ ...policy, ...change })).toThrow(
        expect.objectContaining({ field }) as ValidationError,
      );
    });

    it('accepts the default policy', () => {
      expect(assertValidDurationPolicy(DEFAULT_DURATION_POLICY)).toBe(DEFAULT_DURATION_POLICY);
    });
  });
});

describe('expected duration properties', () => {
  it('the percentile is monotone in p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        (values, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          return nearestRankPercentile(values, lo)! <= nearestRankPercentile(values, hi)!;
        },
      ),
    );
  });

  it('the percentile is an observed value between the minimum and the maximum', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1 }),
        fc.integer({ min: 1, max: 100 }),
        (values, p) => {
          const v = nearestRankPercentile(values, p)!;
          return values.includes(v) && v >= Math.min(...values) && v <= Math.max(...values);
        },
      ),
    );
  });

  it('is the configured default, never below it, until there are minSamples actuals', () => {
    fc.assert(
      fc.property(
        minutes,
        fc.constantFrom('defect-fix', 'net-new-feature', 'other'),
        (all, type) => {
          const actuals = all.slice(0, policy.minSamples - 1);
          const expected = expectedDuration(type, actuals, policy);
          return (
            expected.basis === 'configured-default' &&
            expected.minutes === (type === 'other' ? 60 : policy.defaults[type])
          );
        },
      ),
    );
  });

  it('with enough actuals, at least p percent of the window finished within the expectation', () => {
    fc.assert(
      fc.property(minutes, (actuals) => {
        fc.pre(actuals.length >= policy.minSamples);
        const window = actuals.slice(-policy.maxSamples);
        const expected = expectedDuration('defect-fix', actuals, policy).minutes;
        const within = window.filter((m) => m <= expected).length;
        return within / window.length >= policy.percentile / 100;
      }),
    );
  });

  it('a higher percentile never expects less', () => {
    fc.assert(
      fc.property(minutes, fc.integer({ min: 1, max: 99 }), (actuals, p) => {
        const low = expectedDuration('defect-fix', actuals, { ...policy, percentile: p });
        const high = expectedDuration('defect-fix', actuals, { ...policy, percentile: p + 1 });
        return high.minutes >= low.minutes;
      }),
    );
  });
});
