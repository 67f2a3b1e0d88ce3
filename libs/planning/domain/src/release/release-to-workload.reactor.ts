import type { CommandMetadata, React, ReactionMetadata } from '@trainyard/kernel';
import type { WorkloadCommand } from '../workload/workload.commands';
import { decideWorkload, type WorkloadDecisionContext } from '../workload/workload.decide';
import { evolveWorkload } from '../workload/workload.evolve';
import { initialWorkload, type Workload } from '../workload/workload.state';
import type { WorkloadEvent } from '../workload/workload.events';
import type { ReleaseEvent } from './release.events';

/** The release events whose consequences land on workloads. */
export const RELEASE_TO_WORKLOAD_EVENT_TYPES = [
  'ReleaseScopeCommitted',
  'ScopeExceptionGranted',
  'EmergencyPatchScheduled',
  'ReleaseClosed',
  'ReleaseCancelled',
] as const satisfies readonly ReleaseEvent['type'][];

const meta = (metadata: ReactionMetadata, now: string, reason?: string): CommandMetadata => ({
  now,
  actor: metadata.actor,
  ...(reason ? { reason } : {}),
});

/**
 * What a release decision means for each workload it names, as commands to the workload:
 * - scope committed: included → PlanWorkload (with allocation's reason), left out → DeferWorkload;
 * - scope exception after commit: include → PlanWorkload, exclude → DeferWorkload;
 * - emergency patch scheduled: its workload → PlanWorkload;
 * - closed: completed → CompleteWorkload (its delivered size), not completed → DeferWorkload;
 * - cancelled: every workload of its scope → DeferWorkload.
 * Time is the release event's own (`committedAt`, `closedAt`, …), so a reaction re-run after a
 * crash decides exactly what the first run would have.
 */
export const reactToReleaseForWorkloads: React<ReleaseEvent, WorkloadCommand> = (
  event,
  metadata,
) => {
  switch (event.type) {
    case 'ReleaseScopeCommitted': {
      const { releaseId, committedAt } = event.data;
      return [
        ...event.data.workloads.map((w): WorkloadCommand => ({
          type: 'PlanWorkload',
          data: { workloadId: w.workloadId, releaseId },
          metadata: meta(metadata, committedAt, w.reason ?? `committed in release ${releaseId}`),
        })),
        ...(event.data.deferred ?? []).map((d): WorkloadCommand => ({
          type: 'DeferWorkload',
          data: { workloadId: d.workloadId, releaseId, reason: d.reason },
          metadata: meta(metadata, committedAt, d.reason),
        })),
      ];
    }
    case 'ScopeExceptionGranted': {
      const { releaseId, workloadId, approver, reason, grantedAt } = event.data;
      if (event.data.change === 'include') {
        const why = `scope exception approved by ${approver}: ${reason}`;
        return [
          {
            type: 'PlanWorkload',
            data: { workloadId, releaseId },
            metadata: meta(metadata, grantedAt, why),
          },
        ];
      }
      const why = `excluded from ${releaseId} by scope exception approved by ${approver}: ${reason}`;
      return [
        {
          type: 'DeferWorkload',
          data: { workloadId, releaseId, reason: why },
          metadata: meta(metadata, grantedAt, why),
        },
      ];
    }
    case 'EmergencyPatchScheduled': {
      const { releaseId, workloadId, scheduledAt } = event.data;
      return [
        {
          type: 'PlanWorkload',
          data: { workloadId, releaseId },
          metadata: meta(metadata, scheduledAt, `emergency patch release ${releaseId}`),
        },
      ];
    }
    case 'ReleaseClosed': {
      const { releaseId, closedAt } = event.data;
      const reason = `not completed in release ${releaseId}`;
      return [
        ...event.data.completed.map((c): WorkloadCommand => ({
          type: 'CompleteWorkload',
          data: { workloadId: c.workloadId, releaseId, completedJobSize: c.jobSize },
          metadata: meta(metadata, closedAt, metadata.reason),
        })),
        ...event.data.notCompleted.map((workloadId): WorkloadCommand => ({
          type: 'DeferWorkload',
          data: { workloadId, releaseId, reason },
          metadata: meta(metadata, closedAt, reason),
        })),
      ];
    }
    case 'ReleaseCancelled': {
      const { releaseId, cancelledAt } = event.data;
      const reason = `release ${releaseId} cancelled: ${event.data.reason}`;
      return event.data.workloadIds.map((workloadId) => ({
        type: 'DeferWorkload',
        data: { workloadId, releaseId, reason },
        metadata: meta(metadata, cancelledAt, reason),
      }));
    }
    default:
      return [];
  }
};

/**
 * The workload decider as reactions use it: a release's consequence never creates a workload, so
 * on a workload that was never registered (an emergency patch for an unregistered id, say) it
 * does nothing instead of refusing.
 */
export const workloadReactionDecider = {
  decide: (
    command: WorkloadCommand,
    state: Workload,
    context: WorkloadDecisionContext,
  ): readonly WorkloadEvent[] =>
    state.status === 'Unregistered' ? [] : decideWorkload(command, state, context),
  evolve: evolveWorkload,
  initialState: initialWorkload,
} as const;
