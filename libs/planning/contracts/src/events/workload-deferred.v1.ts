import type { InstantV1 } from './planning-values.v1';

/** A workload went back to the backlog. */
export interface WorkloadDeferredV1 {
  readonly workloadId: string;
  readonly team: string;
  /** The release it was deferred from, if any. */
  readonly releaseId?: string;
  readonly reason: string;
  /** Deferrals so far, this one included. */
  readonly deferralCount: number;
  readonly deferredBy: string;
  readonly deferredAt: InstantV1;
}
