import type { PlaceReleaseScopeData } from './deployment-plan.commands';
import type { DeploymentSlot } from './deployment-plan.events';

export interface PlannedDeployment extends DeploymentSlot {
  readonly progress: 'scheduled' | 'started' | 'finished';
  readonly startedAt?: string;
}

export type DeploymentPlan =
  | { readonly status: 'Unplanned' }
  | {
      readonly status: 'Scheduled' | 'PlacementFailed';
      readonly releaseId: string;
      readonly trainId: string;
      readonly deadline: string;
      readonly scope?: PlaceReleaseScopeData;
      readonly deployments: readonly PlannedDeployment[];
    };

export const initialDeploymentPlan = (): DeploymentPlan => ({ status: 'Unplanned' });
