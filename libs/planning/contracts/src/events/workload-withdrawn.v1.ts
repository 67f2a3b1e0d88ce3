import type { InstantV1 } from './planning-values.v1';

/** A workload left the backlog for good. */
export interface WorkloadWithdrawnV1 {
  readonly workloadId: string;
  readonly team: string;
  readonly reason: string;
  readonly withdrawnBy: string;
  readonly withdrawnAt: InstantV1;
}
