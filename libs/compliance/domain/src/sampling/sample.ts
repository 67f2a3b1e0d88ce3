import { ValidationError } from '@trainyard/kernel';
import { randomIndex, seededRandom } from './seeded-random';

/** `ComplianceSampleDrawn`: which releases of a period were drawn for a post-release check, and how. */
export interface ComplianceSampleDrawn {
  readonly type: 'ComplianceSampleDrawn';
  readonly data: {
    readonly sampleId: string;
    readonly period: string;
    readonly seed: string;
    readonly percent: number;
    /** How many releases the period had. */
    readonly population: number;
    /** The drawn release ids, sorted. */
    readonly sampled: readonly string[];
    readonly rulesVersion: string;
    readonly drawnAt: string;
  };
}

export interface SampleRequest {
  /** `YYYY-MM` (a month) or `YYYY-Qn` (a quarter). */
  readonly period: string;
  /** 0 < percent <= 100; the sample size is ceil(population * percent / 100). */
  readonly percent: number;
  readonly seed: string;
  /** The period's release ids; their order does not matter. */
  readonly population: readonly string[];
}

const PERIOD = /^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/;
const SEED = /^[A-Za-z0-9._-]{1,64}$/;

export function validateSampleRequest(request: {
  readonly period?: unknown;
  readonly percent?: unknown;
  readonly seed?: unknown;
}): void {
  if (typeof request.period !== 'string' || !PERIOD.test(request.period))
    throw new ValidationError('period', 'period must be a month (YYYY-MM) or a quarter (YYYY-Qn).');
  if (
    typeof request.percent !== 'number' ||
    !Number.isFinite(request.percent) ||
    request.percent <= 0 ||
    request.percent > 100
  )
    throw new ValidationError('percent', 'percent must be a number above 0 and at most 100.');
  if (typeof request.seed !== 'string' || !SEED.test(request.seed))
    throw new ValidationError(
      'seed',
      'seed must be 1-64 letters, digits, dots, hyphens or underscores.',
    );
}

/** ceil(population * percent / 100), computed without floating-point drift for whole percents. */
export const sampleSize = (population: number, percent: number): number =>
  population === 0
    ? 0
    : Math.min(population, Math.ceil((population * Math.round(percent * 1e6)) / 1e8 - 1e-9));

/**
 * The seeded sample: sort the population (so input order is irrelevant), shuffle its first k
 * places with a partial Fisher-Yates driven by the seed, return them sorted. Pure: the same
 * request always draws the same releases; the seed is recorded so an auditor can redraw it.
 */
export function drawSample(request: SampleRequest): readonly string[] {
  validateSampleRequest(request);
  const ids = [...new Set(request.population)].sort();
  const k = sampleSize(ids.length, request.percent);
  const random = seededRandom(`${request.seed}|${request.period}`);
  for (let i = 0; i < k; i++) {
    const j = i + randomIndex(random, ids.length - i);
    const swap = ids[i] as string;
    ids[i] = ids[j] as string;
    ids[j] = swap;
  }
  return ids.slice(0, k).sort();
}
