import type { InstantV1, RejectedSlotV1 } from './deployment-values.v1';

/** An alert: a release scope cannot be placed before its deadline (first placement or re-placement). */
export interface DeploymentPlacementFailedV1 {
  readonly releaseId: string;
  readonly trainId: string;
  readonly deadline: InstantV1;
  readonly unplaced: readonly {
    readonly deploymentId: string;
    readonly workloadId: string;
    readonly team: string;
    readonly environment: string;
    readonly wave: number;
    readonly rule: string;
    readonly message: string;
    readonly rejected: readonly RejectedSlotV1[];
  }[];
  readonly placedCount: number;
  readonly reason: string;
  readonly targetVersion: string;
  readonly failedAt: InstantV1;
}
