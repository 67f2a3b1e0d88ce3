import type { PlanAlert } from './allocation.types';

/** Priority tiers, best first: compliance/audit work, then what was negotiated in, then the rest by WSJF. */
export const TIER_COMPLIANCE = 0;
export const TIER_NEGOTIATED = 1;
export const TIER_NORMAL = 2;

/**
 * Compliance first: a compliance/audit workload outranks everything; a workload negotiated into
 * scope (and not excluded) outranks plain WSJF order.
 */
export const priorityTier = (compliance: boolean, negotiatedIn: boolean): number =>
  compliance ? TIER_COMPLIANCE : negotiatedIn ? TIER_NEGOTIATED : TIER_NORMAL;

/**
 * The guarantee outranks the technical-debt reserve: a compliance workload that does not fit the
 * general pool may take the rest from the reserve.
 */
export const complianceFitsWithReserve = (
  size: number,
  generalLeft: number,
  reserveLeft: number,
): boolean => size <= generalLeft + reserveLeft;

/** Or an alert: a compliance workload the release could not place. */
export const complianceGuaranteeMissed = (
  candidate: { readonly workloadId: string; readonly team: string },
  releaseId: string,
  reason: string,
): PlanAlert => ({
  type: 'ComplianceGuaranteeMissed',
  workloadId: candidate.workloadId,
  team: candidate.team,
  reason: `compliance workload not placed in release ${releaseId}: ${reason}`,
});
