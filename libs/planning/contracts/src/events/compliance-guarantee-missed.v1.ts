import type { InstantV1 } from './planning-values.v1';

/** A compliance/audit workload could not be placed in the committed release. */
export interface ComplianceGuaranteeMissedV1 {
  readonly releaseId: string;
  readonly workloadId: string;
  readonly team: string;
  readonly reason: string;
  readonly detectedAt: InstantV1;
}
