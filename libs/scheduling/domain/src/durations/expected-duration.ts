import type { DurationPolicy, WorkloadType } from './duration-policy';

/**
 * Expected durations from observed ones (issue 11, item 6): slots are sized by what similar
 * deployments actually took, not by what was requested. Pure; the samples come from the
 * deployment-plan events (`DeploymentFinished`) folded by the durations read model.
 */

/**
 * The nearest-rank percentile of `values` (any order): the smallest value such that at least
 * `p` percent of the values are at or below it. Never interpolates, so the answer is always an
 * observed duration, and it is monotone in `p`. `undefined` for no values.
 */
export const nearestRankPercentile = (values: readonly number[], p: number): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length));
  return sorted[rank - 1];
};

export const defaultMinutesFor = (type: WorkloadType, policy: DurationPolicy): number =>
  Object.prototype.hasOwnProperty.call(policy.defaults, type)
    ? (policy.defaults[type] ?? policy.fallbackMinutes)
    : policy.fallbackMinutes;

/** Why an expected duration has the value it has. */
export type ExpectedDurationBasis = 'configured-default' | 'observed-percentile';

export interface ExpectedDuration {
  readonly workloadType: WorkloadType;
  /** Whole minutes, rounded up: a slot is never shorter than the estimate. */
  readonly minutes: number;
  readonly basis: ExpectedDurationBasis;
  /** Actuals considered (at most the policy's window). */
  readonly samples: number;
  readonly percentile: number;
  readonly policyVersion: string;
}

/**
 * The expected duration of a deployment of `type`, from `actualMinutes` (oldest first) of past
 * deployments of that type: the configured default until there are `minSamples` of them, then
 * the policy's percentile of the most recent `maxSamples`.
 */
export const expectedDuration = (
  type: WorkloadType,
  actualMinutes: readonly number[],
  policy: DurationPolicy,
): ExpectedDuration => {
  const window = actualMinutes
    .filter((m) => Number.isFinite(m) && m >= 0)
    .slice(-policy.maxSamples);
  const base = {
    workloadType: type,
    samples: window.length,
    percentile: policy.percentile,
    policyVersion: policy.version,
  };
  const observed =
    window.length >= policy.minSamples
      ? nearestRankPercentile(window, policy.percentile)
      : undefined;
  if (observed === undefined)
    return { ...base, minutes: defaultMinutesFor(type, policy), basis: 'configured-default' };
  // A deployment always takes at least a minute of its slot.
  return { ...base, minutes: Math.max(1, Math.ceil(observed)), basis: 'observed-percentile' };
};

/** Expected against actual for one finished deployment; positive variance = it overran. */
export interface DurationVariance {
  readonly expectedMinutes: number;
  readonly actualMinutes: number;
  readonly varianceMinutes: number;
  /** actual / expected. */
  readonly ratio: number;
}

export const durationVariance = (
  expectedMinutes: number,
  actualMinutes: number,
): DurationVariance => ({
  expectedMinutes,
  actualMinutes,
  varianceMinutes: round2(actualMinutes - expectedMinutes),
  ratio: expectedMinutes > 0 ? round2(actualMinutes / expectedMinutes) : 0,
});

/** Minutes between two ISO instants (the actual duration of a deployment), to the second. */
export const minutesBetween = (startedAt: string, finishedAt: string): number =>
  Math.round((Date.parse(finishedAt) - Date.parse(startedAt)) / 1000) / 60;

/** What `GET /api/scheduling/durations` serves per workload type. */
export interface DurationStatistics {
  readonly workloadType: WorkloadType;
  readonly samples: number;
  readonly expected: ExpectedDuration;
  readonly p50Minutes: number | null;
  readonly p90Minutes: number | null;
  readonly meanActualMinutes: number | null;
  /** Mean of (actual − expected) over the finished deployments of the type. */
  readonly meanVarianceMinutes: number | null;
}

export interface FinishedSample {
  readonly actualMinutes: number;
  readonly expectedMinutes: number;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const mean = (values: readonly number[]): number | null =>
  values.length === 0 ? null : round2(values.reduce((a, b) => a + b, 0) / values.length);

/** Statistics of one workload type from its finished deployments (oldest first). */
export const durationStatistics = (
  type: WorkloadType,
  finished: readonly FinishedSample[],
  policy: DurationPolicy,
): DurationStatistics => {
  const actuals = finished.map((f) => f.actualMinutes);
  return {
    workloadType: type,
    samples: finished.length,
    expected: expectedDuration(type, actuals, policy),
    p50Minutes: nearestRankPercentile(actuals, 50) ?? null,
    p90Minutes: nearestRankPercentile(actuals, 90) ?? null,
    meanActualMinutes: mean(actuals),
    meanVarianceMinutes: mean(finished.map((f) => f.actualMinutes - f.expectedMinutes)),
  };
};
