import type { Decider } from '@trainyard/kernel';
import type { DeploymentPlanCommand } from './deployment-plan.commands';
import { decideDeploymentPlan, type DeploymentPlanDecisionContext } from './deployment-plan.decide';
import type { DeploymentPlanEvent } from './deployment-plan.events';
import { evolveDeploymentPlan } from './deployment-plan.evolve';
import { initialDeploymentPlan, type DeploymentPlan } from './deployment-plan.state';

/** One stream per release: `deployment-plan-<releaseId>`. */
export const deploymentPlanDecider: Decider<
  DeploymentPlan,
  DeploymentPlanCommand,
  DeploymentPlanEvent,
  DeploymentPlanDecisionContext
> = {
  decide: decideDeploymentPlan,
  evolve: evolveDeploymentPlan,
  initialState: initialDeploymentPlan,
};

export const DEPLOYMENT_PLAN_EVENT_TYPES: readonly DeploymentPlanEvent['type'][] = [
  'DeploymentScheduled',
  'DeploymentPlacementFailed',
  'DeploymentRescheduled',
  'DeploymentStarted',
  'DeploymentFinished',
];
