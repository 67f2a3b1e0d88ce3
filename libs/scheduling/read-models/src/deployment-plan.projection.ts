import {
  rowView,
  rowsView,
  type ProjectionDefinition,
  type ProjectionSource,
} from '@trainyard/kernel';
import {
  DEPLOYMENT_PLAN_EVENT_TYPES,
  type DeploymentPlanEvent,
  type DeploymentSlot,
} from '@trainyard/scheduling-domain';
import type { DeploymentPlanRow } from './deployment-plan-view.entity';
import type { DeploymentRow } from './deployment-view.entity';

/** The checkpoint's name: its own runner, beside the calendar's read models. */
export const DEPLOYMENT_PLAN_PROJECTION = 'scheduling.deployments.v1';

export interface ProjectedDeploymentEvent {
  readonly event: DeploymentPlanEvent;
  readonly streamVersion: number;
}

const slotRow = (trainId: string, slot: DeploymentSlot, releaseId: string): DeploymentRow => ({
  deploymentId: slot.deploymentId,
  releaseId,
  trainId,
  workloadId: slot.workloadId,
  team: slot.team,
  workloadType: slot.workloadType,
  environment: slot.environment,
  components: [...slot.components],
  owner: slot.owner ?? null,
  wave: slot.wave,
  startAt: slot.start,
  endAt: slot.end,
  expectedMinutes: slot.expectedDuration.minutes,
  expectedBasis: slot.expectedDuration.basis,
  status: 'scheduled',
  rejected: slot.rejected,
  rescheduleReason: null,
  startedAt: null,
  finishedAt: null,
  outcome: null,
  actualMinutes: null,
  varianceMinutes: null,
});

const change = (
  rows: readonly DeploymentRow[],
  deploymentId: string,
  update: (row: DeploymentRow) => DeploymentRow,
): readonly DeploymentRow[] => rows.map((r) => (r.deploymentId === deploymentId ? update(r) : r));

/** The deployment calendar's rows of one release. */
export const evolveDeployments = (
  rows: readonly DeploymentRow[],
  { event }: ProjectedDeploymentEvent,
): readonly DeploymentRow[] => {
  switch (event.type) {
    case 'DeploymentScheduled':
      return event.data.deployments.map((d) =>
        slotRow(event.data.trainId, d, event.data.releaseId),
      );
    case 'DeploymentPlacementFailed':
      return rows;
    case 'DeploymentRescheduled': {
      const moved = new Map(event.data.deployments.map((d) => [d.deploymentId, d]));
      return rows.map((r) => {
        const next = moved.get(r.deploymentId);
        return next
          ? {
              ...slotRow(r.trainId, next, r.releaseId),
              status: r.status,
              rescheduleReason: event.data.reason,
            }
          : r;
      });
    }
    case 'DeploymentStarted':
      return change(rows, event.data.deploymentId, (r) => ({
        ...r,
        status: 'started',
        startedAt: event.data.startedAt,
      }));
    case 'DeploymentFinished':
      return change(rows, event.data.deploymentId, (r) => ({
        ...r,
        status: 'finished',
        finishedAt: event.data.finishedAt,
        outcome: event.data.outcome,
        actualMinutes: event.data.actualMinutes,
        varianceMinutes: event.data.varianceMinutes,
      }));
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};

export const evolveDeploymentPlanRow = (
  row: DeploymentPlanRow | undefined,
  { event, streamVersion }: ProjectedDeploymentEvent,
): DeploymentPlanRow | undefined => {
  switch (event.type) {
    case 'DeploymentScheduled':
      return {
        releaseId: event.data.releaseId,
        trainId: event.data.trainId,
        status: 'Scheduled',
        deadline: event.data.deadline,
        reason: null,
        unplaced: [],
        updatedAt: event.data.scheduledAt,
        version: streamVersion,
      };
    case 'DeploymentPlacementFailed':
      return {
        releaseId: event.data.releaseId,
        trainId: event.data.trainId,
        // A failed re-placement keeps the scheduled plan and raises the alert beside it.
        status: row?.status ?? 'PlacementFailed',
        deadline: event.data.deadline,
        reason: event.data.reason,
        unplaced: event.data.unplaced,
        updatedAt: event.data.failedAt,
        version: streamVersion,
      };
    case 'DeploymentRescheduled':
      return (
        row && {
          ...row,
          reason: event.data.reason,
          updatedAt: event.data.rescheduledAt,
          version: streamVersion,
        }
      );
    default:
      return row && { ...row, version: streamVersion };
  }
};

/** The deployment calendar (`deployments`) and the plans with their alerts (`deployment_plans`). */
export const deploymentPlanProjection: ProjectionDefinition<ProjectedDeploymentEvent> = {
  name: DEPLOYMENT_PLAN_PROJECTION,
  eventTypes: DEPLOYMENT_PLAN_EVENT_TYPES,
  toEvent: (stored: ProjectionSource) => ({
    event: { type: stored.type, data: stored.data } as DeploymentPlanEvent,
    streamVersion: stored.streamVersion,
  }),
  streamVersionOf: (p) => p.streamVersion,
  views: [
    rowView<ProjectedDeploymentEvent, DeploymentPlanRow>({
      table: 'deployment_plans',
      keyOf: (p) => p.event.data.releaseId,
      fold: evolveDeploymentPlanRow,
      versionOf: (row) => row.version,
    }),
    rowsView<ProjectedDeploymentEvent, DeploymentRow>({
      table: 'deployments',
      groupBy: ['release_id'],
      columns: { startAt: 'start_at', endAt: 'end_at' },
      keyOf: (p) => p.event.data.releaseId,
      fold: evolveDeployments,
    }),
  ],
};
