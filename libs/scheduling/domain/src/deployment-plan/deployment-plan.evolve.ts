import type { DeploymentPlanEvent } from './deployment-plan.events';
import type { DeploymentPlan, PlannedDeployment } from './deployment-plan.state';

const update = (
  state: DeploymentPlan,
  deploymentId: string,
  change: (d: PlannedDeployment) => PlannedDeployment,
): DeploymentPlan =>
  state.status === 'Unplanned'
    ? state
    : {
        ...state,
        deployments: state.deployments.map((d) =>
          d.deploymentId === deploymentId ? change(d) : d,
        ),
      };

export const evolveDeploymentPlan = (
  state: DeploymentPlan,
  event: DeploymentPlanEvent,
): DeploymentPlan => {
  switch (event.type) {
    case 'DeploymentScheduled':
      return {
        status: 'Scheduled',
        releaseId: event.data.releaseId,
        trainId: event.data.trainId,
        deadline: event.data.deadline,
        deployments: event.data.deployments.map((d) => ({ ...d, progress: 'scheduled' })),
      };
    case 'DeploymentPlacementFailed':
      // A failed re-placement keeps the plan that was scheduled; a failed first placement has none.
      return state.status === 'Unplanned'
        ? {
            status: 'PlacementFailed',
            releaseId: event.data.releaseId,
            trainId: event.data.trainId,
            deadline: event.data.deadline,
            deployments: [],
          }
        : state;
    case 'DeploymentRescheduled': {
      const moved = new Map(event.data.deployments.map((d) => [d.deploymentId, d]));
      if (state.status === 'Unplanned') return state;
      return {
        ...state,
        deployments: state.deployments.map((d) => {
          const next = moved.get(d.deploymentId);
          if (!next) return d;
          const slot: PlannedDeployment = { ...next, progress: d.progress };
          delete (slot as { previousStart?: string }).previousStart;
          delete (slot as { previousEnd?: string }).previousEnd;
          return slot;
        }),
      };
    }
    case 'DeploymentStarted':
      return update(state, event.data.deploymentId, (d) => ({
        ...d,
        progress: 'started',
        startedAt: event.data.startedAt,
      }));
    case 'DeploymentFinished':
      return update(state, event.data.deploymentId, (d) => ({ ...d, progress: 'finished' }));
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};
