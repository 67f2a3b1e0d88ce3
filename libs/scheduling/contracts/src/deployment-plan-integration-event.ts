import type { DeploymentPlacementFailedV1 } from './events/deployment-placement-failed.v1';
import type { DeploymentRescheduledV1 } from './events/deployment-rescheduled.v1';
import type { DeploymentScheduledV1 } from './events/deployment-scheduled.v1';

/** The deployment-plan part of what scheduling publishes on `trainyard.scheduling.events.v1`. */
export type DeploymentPlanIntegrationEvent =
  | {
      readonly type: 'DeploymentScheduled';
      readonly version: 1;
      readonly data: DeploymentScheduledV1;
    }
  | {
      readonly type: 'DeploymentPlacementFailed';
      readonly version: 1;
      readonly data: DeploymentPlacementFailedV1;
    }
  | {
      readonly type: 'DeploymentRescheduled';
      readonly version: 1;
      readonly data: DeploymentRescheduledV1;
    };
