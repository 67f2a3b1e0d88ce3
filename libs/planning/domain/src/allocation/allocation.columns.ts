import type { ChangeType } from '../policy/planning-policy';
import { ISO_INSTANT, assertNonEmpty, ValidationError } from '@trainyard/kernel';
import type { AllocationCandidate } from './allocation.types';

/** Decision states per candidate (a Uint8Array in allocate). */
export const INCLUDED = 1;
export const DEFERRED = 2;
/** Did not fit in pass A; reconsidered once unused tech-debt reserve returns to the general pool. */
export const PENDING = 3;

export const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const KIND_OTHER = 0;
export const KIND_TECH_DEBT = 1;
export const KIND_COMPLIANCE = 2;

/**
 * The facts allocation works on, one array per field in id order, read in one pass over the
 * candidate objects: at 100k candidates each further pass over those scattered objects cost a
 * cache miss per candidate.
 */
export interface Columns {
  readonly ids: readonly string[];
  /** Each candidate's team as a number in order of first appearance, naming `teamNames`. */
  readonly teamSeen: Int32Array;
  readonly teamNames: readonly string[];
  /** Every dependency reference: the candidate that declares it and the id it names. */
  readonly referenceOwner: readonly number[];
  readonly reference: readonly string[];
  /** Candidates with an API contract. */
  readonly contracted: readonly number[];
  readonly changeType: readonly ChangeType[];
  readonly registeredAtMs: Float64Array;
  readonly costOfDelay: Float64Array;
  readonly jobSize: Float64Array;
  readonly kind: Uint8Array;
}

/**
 * `x` itself, as a small integer when it is one: a plan entry field first filled from a
 * Float64Array becomes a double field, which V8 boxes in a heap object per entry (100k of them).
 */
export const small = (x: number): number => ((x | 0) === x && (x !== 0 || 1 / x > 0) ? x | 0 : x);

export const isNonEmpty = (value: unknown): boolean =>
  typeof value === 'string' && value.trim() !== '';
export const isNonNegative = (value: number): boolean => Number.isFinite(value) && value >= 0;
export const negativeValueField = (c: AllocationCandidate): string | undefined =>
  !isNonNegative(c.businessValue)
    ? 'businessValue'
    : !isNonNegative(c.timeCriticality)
      ? 'timeCriticality'
      : !isNonNegative(c.riskReduction)
        ? 'riskReduction'
        : undefined;

/** Validates the (id-sorted) candidates while reading their columns. */
export const readColumns = (sorted: readonly AllocationCandidate[]): Columns => {
  const n = sorted.length;
  const ids = new Array<string>(n);
  const teamSeen = new Int32Array(n);
  const teamNames: string[] = [];
  const teamNumber = new Map<string, number>();
  const referenceOwner: number[] = [];
  const reference: string[] = [];
  const contracted: number[] = [];
  const changeType = new Array<ChangeType>(n);
  const registeredAtMs = new Float64Array(n);
  const costOfDelay = new Float64Array(n);
  const jobSize = new Float64Array(n);
  const kind = new Uint8Array(n);
  // Field names are only built for an error: one string per candidate is garbage at 100k.
  for (let i = 0; i < n; i++) {
    const c = sorted[i] as AllocationCandidate;
    assertNonEmpty('candidates.workloadId', c.workloadId);
    if (i > 0 && sorted[i - 1]?.workloadId === c.workloadId)
      throw new ValidationError('candidates', `workload ${c.workloadId} is a candidate twice`);
    if (!isNonEmpty(c.team)) assertNonEmpty(`candidates[${c.workloadId}].team`, c.team);
    if (!(Number.isFinite(c.jobSize) && c.jobSize > 0))
      throw new ValidationError(
        `candidates[${c.workloadId}].jobSize`,
        'jobSize must be a positive number',
      );
    const field = negativeValueField(c);
    if (field !== undefined)
      throw new ValidationError(`candidates[${c.workloadId}].${field}`, `${field} must be ≥ 0`);
    const ms = Date.parse(c.registeredAt);
    if (Number.isNaN(ms) || !ISO_INSTANT.test(c.registeredAt))
      throw new ValidationError(
        `candidates[${c.workloadId}].registeredAt`,
        'registeredAt must be an ISO-8601 instant',
      );
    ids[i] = c.workloadId;
    let team = teamNumber.get(c.team);
    if (team === undefined) {
      team = teamNames.length;
      teamNumber.set(c.team, team);
      teamNames.push(c.team);
    }
    teamSeen[i] = team;
    const dependsOn = c.dependsOn;
    for (let d = 0; d < dependsOn.length; d++) {
      referenceOwner.push(i);
      reference.push(dependsOn[d] as string);
    }
    if (c.apiContract) contracted.push(i);
    changeType[i] = c.changeType;
    registeredAtMs[i] = ms;
    costOfDelay[i] = c.businessValue + c.timeCriticality + c.riskReduction;
    jobSize[i] = c.jobSize;
    kind[i] =
      c.changeType === 'compliance-audit'
        ? KIND_COMPLIANCE
        : c.changeType === 'technical-debt'
          ? KIND_TECH_DEBT
          : KIND_OTHER;
  }
  return {
    ids,
    teamSeen,
    teamNames,
    referenceOwner,
    reference,
    contracted,
    changeType,
    registeredAtMs,
    costOfDelay,
    jobSize,
    kind,
  };
};
