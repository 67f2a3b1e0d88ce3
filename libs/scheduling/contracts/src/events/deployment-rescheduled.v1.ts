import type { DeploymentSlotV1, InstantV1 } from './deployment-values.v1';

/** Deployments of a release moved (a freeze added later, an override expiring), and why. */
export interface DeploymentRescheduledV1 {
  readonly releaseId: string;
  readonly trigger: {
    readonly kind: 'freeze-added' | 'override-expired' | 'window-changed';
    readonly id: string;
  };
  readonly reason: string;
  readonly deployments: readonly (DeploymentSlotV1 & {
    readonly previousStart: InstantV1;
    readonly previousEnd: InstantV1;
  })[];
  readonly rescheduledBy: string;
  readonly rescheduledAt: InstantV1;
}
