import type { InstantV1 } from './planning-values.v1';

/** A workload was added to committed scope: unplanned work. */
export interface ReleaseWorkloadIncludedV1 {
  readonly releaseId: string;
  readonly workloadId: string;
  readonly team: string;
  readonly jobSize: number;
  readonly unplanned: true;
  readonly capacityUsed: number;
  readonly capacityTotal: number;
  readonly includedAt: InstantV1;
}
