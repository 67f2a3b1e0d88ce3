import { ValidationError } from '@trainyard/kernel';

/**
 * What a deployment is, for its expected duration: planning's change type (`net-new-feature`,
 * `configuration-only`, ...) as it arrives on planning's contract. Kept a string here because the
 * scheduling domain may not import planning's; an unknown type falls back to `fallbackMinutes`.
 */
export type WorkloadType = string;

/**
 * How expected durations are derived (issue 11, item 6). Versioned data like planning's policy
 * (`libs/planning/domain/src/policy/planning-policy.ts`): every expected duration records the
 * version it was computed under, so a changed policy never rewrites what was decided.
 */
export interface DurationPolicy {
  readonly version: string;
  /**
   * The conservative percentile of past actual durations (nearest-rank, 1..100): p90 means nine
   * in ten similar deployments finished within the expected duration.
   */
  readonly percentile: number;
  /** Fewer actuals than this for a workload type: the configured default is used instead. */
  readonly minSamples: number;
  /** Only the most recent this many actuals of a type count, so the estimate follows change. */
  readonly maxSamples: number;
  /** Minutes per workload type before there are enough samples. */
  readonly defaults: Readonly<Record<WorkloadType, number>>;
  /** Minutes for a workload type without a configured default. */
  readonly fallbackMinutes: number;
}

export const DEFAULT_DURATION_POLICY: DurationPolicy = {
  version: 'duration-policy/2026-12.1',
  percentile: 90,
  minSamples: 5,
  maxSamples: 200,
  defaults: {
    'net-new-feature': 60,
    'configuration-only': 15,
    'defect-fix': 30,
    'technical-debt': 45,
    'compliance-audit': 45,
    'emergency-patch': 30,
  },
  fallbackMinutes: 60,
};

const positiveMinutes = (field: string, value: number): void => {
  if (!Number.isFinite(value) || value <= 0 || value > 7 * 24 * 60)
    throw new ValidationError(
      field,
      `${field} must be a number of minutes above 0 and at most one week; got ${value}.`,
    );
};

/** Refuses a policy the estimator could not honour, naming the field. */
export const assertValidDurationPolicy = (policy: DurationPolicy): DurationPolicy => {
  if (policy.version.trim() === '')
    throw new ValidationError('version', 'The duration policy needs a version.');
  if (!Number.isInteger(policy.percentile) || policy.percentile < 1 || policy.percentile > 100)
    throw new ValidationError(
      'percentile',
      `The percentile must be a whole number from 1 to 100; got ${policy.percentile}.`,
    );
  if (!Number.isInteger(policy.minSamples) || policy.minSamples < 1)
    throw new ValidationError(
      'minSamples',
      `The minimum sample count must be a whole number of at least 1; got ${policy.minSamples}.`,
    );
  if (!Number.isInteger(policy.maxSamples) || policy.maxSamples < policy.minSamples)
    throw new ValidationError(
      'maxSamples',
      `The sample window must be a whole number of at least minSamples; got ${policy.maxSamples}.`,
    );
  positiveMinutes('fallbackMinutes', policy.fallbackMinutes);
  for (const [type, minutes] of Object.entries(policy.defaults))
    positiveMinutes(`defaults.${type}`, minutes);
  return policy;
};
