import { projectEvents } from '@trainyard/kernel';
import type { DeploymentPlanEvent, DeploymentSlot } from '@trainyard/scheduling-domain';
import { deploymentPlanProjection } from './deployment-plan.projection';

const slot = (deploymentId: string, start: string, end: string): DeploymentSlot => ({
  deploymentId,
  workloadId: deploymentId.split(':')[1] ?? '',
  team: 'payments',
  workloadType: 'defect-fix',
  environment: 'production',
  components: ['checkout'],
  wave: 1,
  start,
  end,
  expectedDuration: {
    minutes: 30,
    basis: 'configured-default',
    samples: 0,
    percentile: 90,
    policyVersion: 'p',
  },
  rejected: [
    {
      start: '2026-12-07T08:00:00Z',
      end: '2026-12-07T08:30:00Z',
      rule: 'freeze',
      party: 'freeze F-1',
    },
  ],
});

const project = (events: DeploymentPlanEvent[]) => {
  const tables = projectEvents(
    deploymentPlanProjection,
    events.map((e, i) =>
      deploymentPlanProjection.toEvent({
        type: e.type,
        data: e.data,
        streamVersion: i + 1,
        metadata: { actor: 'a' },
      }),
    ),
  );
  return {
    plans: (tables.deployment_plans ?? []) as Record<string, unknown>[],
    deployments: (tables.deployments ?? []) as Record<string, unknown>[],
  };
};

const scheduled: DeploymentPlanEvent = {
  type: 'DeploymentScheduled',
  data: {
    releaseId: 'R-1',
    trainId: 'T-1',
    deadline: '2026-12-21T00:00:00Z',
    deployments: [slot('R-1:W-1:production', '2026-12-07T09:00:00Z', '2026-12-07T09:30:00Z')],
    targetVersion: 't',
    scheduledBy: 'a',
    scheduledAt: '2026-12-06T00:00:00Z',
  },
};

describe('deployment calendar read model', () => {
  it('holds one row per scheduled deployment with its rejected candidates', () => {
    const { plans, deployments } = project([scheduled]);
    expect(plans[0]).toMatchObject({ status: 'Scheduled', deadline: '2026-12-21T00:00:00Z' });
    expect(deployments).toEqual([
      expect.objectContaining({
        deploymentId: 'R-1:W-1:production',
        startAt: '2026-12-07T09:00:00Z',
        status: 'scheduled',
        rejected: [expect.objectContaining({ rule: 'freeze' })],
      }),
    ]);
  });

  it('moves a rescheduled deployment and keeps the reason', () => {
    const moved: DeploymentPlanEvent = {
      type: 'DeploymentRescheduled',
      data: {
        releaseId: 'R-1',
        trigger: { kind: 'freeze-added', id: 'F-2' },
        reason: 'Re-placed 1 deployments because freeze F-2 was added.',
        deployments: [
          {
            ...slot('R-1:W-1:production', '2026-12-08T09:00:00Z', '2026-12-08T09:30:00Z'),
            previousStart: '2026-12-07T09:00:00Z',
            previousEnd: '2026-12-07T09:30:00Z',
          },
        ],
        rescheduledBy: 'a',
        rescheduledAt: '2026-12-06T01:00:00Z',
      },
    };
    const { deployments } = project([scheduled, moved]);
    expect(deployments).toEqual([
      expect.objectContaining({
        startAt: '2026-12-08T09:00:00Z',
        rescheduleReason: 'Re-placed 1 deployments because freeze F-2 was added.',
      }),
    ]);
  });

  it('records expected against actual when a deployment finishes', () => {
    const events: DeploymentPlanEvent[] = [
      scheduled,
      {
        type: 'DeploymentStarted',
        data: {
          releaseId: 'R-1',
          deploymentId: 'R-1:W-1:production',
          workloadType: 'defect-fix',
          startedAt: '2026-12-07T09:00:00Z',
          recordedBy: 'd',
        },
      },
      {
        type: 'DeploymentFinished',
        data: {
          releaseId: 'R-1',
          deploymentId: 'R-1:W-1:production',
          workloadType: 'defect-fix',
          outcome: 'succeeded',
          startedAt: '2026-12-07T09:00:00Z',
          finishedAt: '2026-12-07T09:45:00Z',
          expectedMinutes: 30,
          actualMinutes: 45,
          varianceMinutes: 15,
          recordedBy: 'd',
        },
      },
    ];
    const { deployments } = project(events);
    expect(deployments).toEqual([
      expect.objectContaining({ status: 'finished', actualMinutes: 45, varianceMinutes: 15 }),
    ]);
  });

  it('keeps the placement alert of a release that could not be placed', () => {
    const failed: DeploymentPlanEvent = {
      type: 'DeploymentPlacementFailed',
      data: {
        releaseId: 'R-2',
        trainId: 'T-1',
        deadline: '2026-12-21T00:00:00Z',
        unplaced: [],
        placedCount: 0,
        reason: '1 of 1 deployments of release R-2 cannot be placed before 2026-12-21T00:00:00Z.',
        targetVersion: 't',
        failedAt: '2026-12-06T00:00:00Z',
      },
    };
    const { plans, deployments } = project([failed]);
    expect(plans[0]).toMatchObject({ status: 'PlacementFailed', reason: failed.data.reason });
    expect(deployments).toEqual([]);
  });
});
