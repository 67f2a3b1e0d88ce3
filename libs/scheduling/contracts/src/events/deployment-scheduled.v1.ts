import type { DeploymentSlotV1, InstantV1 } from './deployment-values.v1';

/** A committed release scope was placed: every deployment's slot, wave and expected duration. */
export interface DeploymentScheduledV1 {
  readonly releaseId: string;
  readonly trainId: string;
  readonly deadline: InstantV1;
  readonly deployments: readonly DeploymentSlotV1[];
  /** The scheduling-side release target (environments, deadline) the placement used. */
  readonly targetVersion: string;
  readonly scheduledBy: string;
  readonly scheduledAt: InstantV1;
}
