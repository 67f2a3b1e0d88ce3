import type { InstantV1 } from './planning-values.v1';

/** A workload was removed from committed scope. */
export interface ReleaseWorkloadExcludedV1 {
  readonly releaseId: string;
  readonly workloadId: string;
  readonly team: string;
  readonly jobSize: number;
  readonly excludedAt: InstantV1;
}
