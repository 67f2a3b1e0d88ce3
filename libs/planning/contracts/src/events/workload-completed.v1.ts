import type { InstantV1 } from './planning-values.v1';

/** A workload was delivered in a release. */
export interface WorkloadCompletedV1 {
  readonly workloadId: string;
  readonly team: string;
  readonly releaseId: string;
  /** Delivered size, greater than 0. */
  readonly completedJobSize: number;
  readonly completedAt: InstantV1;
}
