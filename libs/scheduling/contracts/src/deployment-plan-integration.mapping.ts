// Deployment-plan domain events → integration events (ADR 0009): domain types imported for types
// only, every published field copied by name. DeploymentStarted/Finished are what scheduling
// records of the deployment service's progress; they stay internal (the durations read model).
import type {
  DeploymentPlanEvent,
  DeploymentSlot,
  RejectedSlot,
} from '@trainyard/scheduling-domain';
import type { DeploymentPlanIntegrationEvent } from './deployment-plan-integration-event';
import type { DeploymentSlotV1, RejectedSlotV1 } from './events/deployment-values.v1';
import { schedulingDataschema } from './scheduling.topics';

const rejectedV1 = (r: RejectedSlot): RejectedSlotV1 => ({
  start: r.start,
  end: r.end,
  rule: r.rule,
  party: r.party,
});

const slotV1 = (d: DeploymentSlot): DeploymentSlotV1 => ({
  deploymentId: d.deploymentId,
  workloadId: d.workloadId,
  team: d.team,
  workloadType: d.workloadType,
  environment: d.environment,
  components: [...d.components],
  ...(d.owner === undefined ? {} : { owner: d.owner }),
  wave: d.wave,
  start: d.start,
  end: d.end,
  expectedDuration: {
    minutes: d.expectedDuration.minutes,
    basis: d.expectedDuration.basis,
    samples: d.expectedDuration.samples,
    percentile: d.expectedDuration.percentile,
    policyVersion: d.expectedDuration.policyVersion,
  },
  rejected: d.rejected.map(rejectedV1),
});

/** The integration event a deployment-plan event is published as; undefined: not published. */
export function deploymentPlanIntegrationEvent(
  event: DeploymentPlanEvent,
): DeploymentPlanIntegrationEvent | undefined {
  switch (event.type) {
    case 'DeploymentScheduled': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          releaseId: d.releaseId,
          trainId: d.trainId,
          deadline: d.deadline,
          deployments: d.deployments.map(slotV1),
          targetVersion: d.targetVersion,
          scheduledBy: d.scheduledBy,
          scheduledAt: d.scheduledAt,
        },
      };
    }
    case 'DeploymentPlacementFailed': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          releaseId: d.releaseId,
          trainId: d.trainId,
          deadline: d.deadline,
          unplaced: d.unplaced.map((u) => ({
            deploymentId: u.deploymentId,
            workloadId: u.workloadId,
            team: u.team,
            environment: u.environment,
            wave: u.wave,
            rule: u.rule,
            message: u.message,
            rejected: u.rejected.map(rejectedV1),
          })),
          placedCount: d.placedCount,
          reason: d.reason,
          targetVersion: d.targetVersion,
          failedAt: d.failedAt,
        },
      };
    }
    case 'DeploymentRescheduled': {
      const d = event.data;
      return {
        type: event.type,
        version: 1,
        data: {
          releaseId: d.releaseId,
          trigger: { kind: d.trigger.kind, id: d.trigger.id },
          reason: d.reason,
          deployments: d.deployments.map((m) => ({
            ...slotV1(m),
            previousStart: m.previousStart,
            previousEnd: m.previousEnd,
          })),
          rescheduledBy: d.rescheduledBy,
          rescheduledAt: d.rescheduledAt,
        },
      };
    }
    case 'DeploymentStarted':
    case 'DeploymentFinished':
      return undefined;
    default: {
      const unmapped: never = event;
      return unmapped;
    }
  }
}

const DEPLOYMENT_PLAN_TYPES: ReadonlySet<string> = new Set([
  'DeploymentScheduled',
  'DeploymentPlacementFailed',
  'DeploymentRescheduled',
  'DeploymentStarted',
  'DeploymentFinished',
]);

/** Whether a scheduling domain event is one of the deployment-plan aggregate's. */
export const isDeploymentPlanEvent = (event: {
  readonly type: string;
}): event is DeploymentPlanEvent => DEPLOYMENT_PLAN_TYPES.has(event.type);

/** The catalogue of the deployment-plan events scheduling publishes. */
export const DEPLOYMENT_PLAN_INTEGRATION_EVENTS: readonly {
  readonly type: DeploymentPlanIntegrationEvent['type'];
  readonly version: 1;
}[] = (['DeploymentScheduled', 'DeploymentPlacementFailed', 'DeploymentRescheduled'] as const).map(
  (type) => ({ type, version: 1 as const }),
);

/**
 * The publishing rule for deployment-plan events as the outbox relay hands them over; undefined
 * for any other stored event (so the service's combined rule can try the next part).
 */
export function deploymentPlanIntegrationEventOf(stored: {
  readonly type: string;
  readonly data: unknown;
}): (DeploymentPlanIntegrationEvent & { readonly dataschema: string }) | undefined {
  if (!DEPLOYMENT_PLAN_TYPES.has(stored.type)) return undefined;
  const event = deploymentPlanIntegrationEvent(stored as DeploymentPlanEvent);
  return event && { ...event, dataschema: schedulingDataschema(event) };
}
