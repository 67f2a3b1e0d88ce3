import type { InstantV1 } from './planning-values.v1';

/** A workload was planned into a release; `ce_reason` carries the allocation's explanation. */
export interface WorkloadPlannedV1 {
  readonly workloadId: string;
  readonly team: string;
  readonly releaseId: string;
  readonly plannedBy: string;
  readonly plannedAt: InstantV1;
}
