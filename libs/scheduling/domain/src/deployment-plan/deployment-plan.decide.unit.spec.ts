import {
  DeciderSpecification,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import type { CommandMetadata } from '@trainyard/kernel';
import { DEFAULT_DURATION_POLICY } from '../durations/duration-policy';
import { formatUtcInstant } from '../time/civil-date';
import type { DeploymentPlanCommand, PlaceReleaseScopeData } from './deployment-plan.commands';
import type { DeploymentPlanDecisionContext } from './deployment-plan.decide';
import { deploymentPlanDecider } from './deployment-plan.decider';
import type {
  DeploymentPlanEvent,
  DeploymentScheduled,
  RejectedSlot,
} from './deployment-plan.events';
import type { ReleaseTargetPolicy } from './release-target';
import type { PlaceSlot } from './slot-placement';

const H = 3_600_000;
const T0 = Date.parse('2026-12-07T00:00:00Z');
const meta = (now = '2026-12-07T00:00:00.000Z'): CommandMetadata => ({ now, actor: 'scheduler' });

const targets: ReleaseTargetPolicy = {
  version: 'release-target/test',
  trains: {
    'T-1': {
      environments: ['staging', 'production'],
      deadlineDays: 2,
      leadMinutes: 0,
      waveGapMinutes: 30,
      teamComponents: { payments: ['checkout'] },
      teamOwners: { payments: 'pat' },
    },
  },
  defaultTarget: {
    environments: ['production'],
    deadlineDays: 1,
    leadMinutes: 0,
    waveGapMinutes: 0,
  },
};

/**
 * A first-fit placement over fixed windows: enough to test the plan's rules (order, waves,
 * durations, deadline). The real engine and its invariants are tested in ../placement.
 */
const windowsPlacement =
  (windows: readonly [number, number][], frozen: readonly [number, number][] = []): PlaceSlot =>
  (request) => {
    const rejected: RejectedSlot[] = [];
    for (const [ws, we] of windows) {
      const start = Math.max(ws, request.earliestStart);
      const end = start + request.expectedDurationMs;
      if (end > we) continue;
      const freeze = frozen.find(([fs, fe]) => start < fe && fs < end);
      const busy = request.placedBefore.find(
        (p) =>
          p.start < end &&
          start < p.end &&
          p.components.some((c) => request.components.includes(c)),
      );
      const rejection = freeze
        ? { rule: 'freeze', party: 'freeze F-1' }
        : busy
          ? { rule: 'component-overlap', party: `deployment ${busy.deploymentId}` }
          : undefined;
      if (rejection) {
        rejected.push({ start: formatUtcInstant(start), end: formatUtcInstant(end), ...rejection });
        continue;
      }
      if (end > request.deadline) break;
      return { status: 'placed', start, end, rejected };
    }
    return {
      status: 'unplaced',
      rule: 'deadline',
      message: 'No window before the deadline.',
      rejected,
    };
  };

const hourlyWindows = Array.from(
  { length: 48 },
  (_, i) => [T0 + i * H, T0 + (i + 1) * H] as [number, number],
);

const context = (
  placeSlot: PlaceSlot = windowsPlacement(hourlyWindows),
  actualMinutes: Record<string, number[]> = {},
): DeploymentPlanDecisionContext => ({
  targets,
  durations: DEFAULT_DURATION_POLICY,
  actualMinutes,
  placeSlot,
});

const scope = (data: Partial<PlaceReleaseScopeData> = {}): DeploymentPlanCommand => ({
  type: 'PlaceReleaseScope',
  data: {
    releaseId: 'R-1',
    trainId: 'T-1',
    workloads: [
      { workloadId: 'W-1', team: 'payments', jobSize: 3, changeType: 'defect-fix' },
      { workloadId: 'W-2', team: 'search', jobSize: 5, changeType: 'configuration-only' },
    ],
    deploymentOrder: [
      { workloadId: 'W-1', wave: 1 },
      { workloadId: 'W-2', wave: 2 },
    ],
    committedAt: '2026-12-07T00:00:00.000Z',
    ...data,
  },
  metadata: meta(),
});

const scheduledOf = (events: readonly DeploymentPlanEvent[]): DeploymentScheduled['data'] => {
  const [event] = events;
  if (event?.type !== 'DeploymentScheduled')
    throw new Error(`expected DeploymentScheduled, got ${event?.type}`);
  return event.data;
};

const decide = (
  command: DeploymentPlanCommand,
  ctx = context(),
  history: DeploymentPlanEvent[] = [],
) =>
  deploymentPlanDecider.decide(
    command,
    history.reduce(deploymentPlanDecider.evolve, deploymentPlanDecider.initialState()),
    ctx,
  );

describe('deployment plan', () => {
  describe('given an unplanned release', () => {
    it('places every workload in every environment of the train, waves in order', () => {
      const plan = scheduledOf(decide(scope()));
      expect(plan.deadline).toBe('2026-12-09T00:00:00Z');
      expect(
        plan.deployments.map((d) => [
          d.deploymentId,
          d.environment,
          d.wave,
          d.start,
          d.end,
          d.components,
          d.owner,
        ]),
      ).toEqual([
        [
          'R-1:W-1:staging',
          'staging',
          1,
          '2026-12-07T00:00:00Z',
          '2026-12-07T00:30:00Z',
          ['checkout'],
          'pat',
        ],
        // wave 2 starts after wave 1's end plus the 30-minute gap
        [
          'R-1:W-2:staging',
          'staging',
          2,
          '2026-12-07T01:00:00Z',
          '2026-12-07T01:15:00Z',
          ['search-service'],
          undefined,
        ],
        [
          'R-1:W-1:production',
          'production',
          1,
          '2026-12-07T02:00:00Z',
          '2026-12-07T02:30:00Z',
          ['checkout'],
          'pat',
        ],
        [
          'R-1:W-2:production',
          'production',
          2,
          '2026-12-07T03:00:00Z',
          '2026-12-07T03:15:00Z',
          ['search-service'],
          undefined,
        ],
      ]);
    });

    it('sizes each slot by the observed duration of the workload type, not the default', () => {
      const ctx = context(windowsPlacement(hourlyWindows), { 'defect-fix': [40, 42, 45, 41, 44] });
      const first = scheduledOf(decide(scope(), ctx)).deployments[0];
      expect(first?.expectedDuration).toMatchObject({
        minutes: 45,
        basis: 'observed-percentile',
        samples: 5,
      });
      expect(first?.end).toBe('2026-12-07T00:45:00Z');
    });

    it('records the reason every earlier candidate slot was rejected', () => {
      const ctx = context(windowsPlacement(hourlyWindows, [[T0, T0 + 2 * H]]));
      const first = scheduledOf(decide(scope(), ctx)).deployments[0];
      expect(first?.start).toBe('2026-12-07T02:00:00Z');
      expect(first?.rejected).toEqual([
        {
          start: '2026-12-07T00:00:00Z',
          end: '2026-12-07T00:30:00Z',
          rule: 'freeze',
          party: 'freeze F-1',
        },
        {
          start: '2026-12-07T01:00:00Z',
          end: '2026-12-07T01:30:00Z',
          rule: 'freeze',
          party: 'freeze F-1',
        },
      ]);
    });

    it('uses the default target for a train without its own', () => {
      const plan = scheduledOf(decide(scope({ trainId: 'T-other' })));
      expect(plan.deployments.map((d) => d.environment)).toEqual(['production', 'production']);
    });

    it('raises an alert, never silence, when the scope cannot be placed before its deadline', () => {
      const events = decide(scope(), context(windowsPlacement(hourlyWindows.slice(0, 2))));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'DeploymentPlacementFailed',
        data: {
          releaseId: 'R-1',
          deadline: '2026-12-09T00:00:00Z',
          placedCount: 2,
          unplaced: [
            { deploymentId: 'R-1:W-1:production', rule: 'deadline' },
            { deploymentId: 'R-1:W-2:production', rule: 'deadline' },
          ],
        },
      });
    });

    it.each([
      ['releaseId', { releaseId: ' ' }],
      ['committedAt', { committedAt: 'yesterday' }],
      ['workloads', { workloads: [] }],
      ['deploymentOrder[0].wave', { deploymentOrder: [{ workloadId: 'W-1', wave: 0 }] }],
    ])('refuses a scope with a bad %s', (field, data) => {
      expect(() => decide(scope(data))).toThrow(
        expect.objectContaining({ field }) as ValidationError,
      );
    });

    it('has no deployment to record a start for', () => {
      const given = DeciderSpecification.for(deploymentPlanDecider, context());
      given([])
        .when({
          type: 'RecordDeploymentStarted',
          data: {
            releaseId: 'R-1',
            deploymentId: 'R-1:W-1:staging',
            startedAt: '2026-12-07T00:00:00Z',
          },
          metadata: meta(),
        })
        .thenThrows(NotFoundError);
    });
  });

  describe('given a scheduled release', () => {
    const scheduled = (): DeploymentPlanEvent[] => [...decide(scope())];
    const given = DeciderSpecification.for(deploymentPlanDecider, context());
    const started = (at = '2026-12-07T00:05:00Z'): DeploymentPlanCommand => ({
      type: 'RecordDeploymentStarted',
      data: { releaseId: 'R-1', deploymentId: 'R-1:W-1:staging', startedAt: at },
      metadata: meta(),
    });
    const finished = (at = '2026-12-07T00:47:00Z'): DeploymentPlanCommand => ({
      type: 'RecordDeploymentFinished',
      data: {
        releaseId: 'R-1',
        deploymentId: 'R-1:W-1:staging',
        finishedAt: at,
        outcome: 'succeeded',
      },
      metadata: meta(),
    });

    it('places it once: planning redelivering its commit changes nothing', () => {
      given(scheduled()).when(scope()).thenNothingHappened();
    });

    it('records a start', () => {
      given(scheduled())
        .when(started())
        .then([
          {
            type: 'DeploymentStarted',
            data: {
              releaseId: 'R-1',
              deploymentId: 'R-1:W-1:staging',
              workloadType: 'defect-fix',
              startedAt: '2026-12-07T00:05:00Z',
              recordedBy: 'scheduler',
            },
          },
        ]);
    });

    it('records expected against actual when a deployment finishes', () => {
      const history = [...scheduled(), ...decide(started(), context(), scheduled())];
      given(history)
        .when(finished())
        .then([
          {
            type: 'DeploymentFinished',
            data: {
              releaseId: 'R-1',
              deploymentId: 'R-1:W-1:staging',
              workloadType: 'defect-fix',
              outcome: 'succeeded',
              startedAt: '2026-12-07T00:05:00Z',
              finishedAt: '2026-12-07T00:47:00Z',
              expectedMinutes: 30,
              actualMinutes: 42,
              varianceMinutes: 12,
              recordedBy: 'scheduler',
            },
          },
        ]);
    });

    it('refuses a finish before the start (rule deployment-finished-after-start)', () => {
      given(scheduled())
        .when(finished())
        .thenThrows(RuleViolation, { rule: 'deployment-finished-after-start' });
    });

    it('refuses a second, different start (rule deployment-started-once)', () => {
      const history = [...scheduled(), ...decide(started(), context(), scheduled())];
      given(history)
        .when(started('2026-12-07T00:06:00Z'))
        .thenThrows(RuleViolation, { rule: 'deployment-started-once' });
    });

    it('refuses a finish before the recorded start', () => {
      const history = [...scheduled(), ...decide(started(), context(), scheduled())];
      given(history)
        .when(finished('2026-12-07T00:01:00Z'))
        .thenThrows(ValidationError, { field: 'finishedAt' });
    });

    it('re-places what a freeze added later affects, and says why', () => {
      const frozen = context(windowsPlacement(hourlyWindows, [[T0, T0 + 3 * H]]));
      const events = decide(
        {
          type: 'ReplaceDeployments',
          data: { releaseId: 'R-1', trigger: { kind: 'freeze-added', id: 'F-9' } },
          metadata: meta(),
        },
        frozen,
        scheduled(),
      );
      expect(events).toHaveLength(1);
      const [event] = events;
      if (event?.type !== 'DeploymentRescheduled')
        throw new Error('expected DeploymentRescheduled');
      expect(event.data.reason).toBe('Re-placed 4 deployments because freeze F-9 was added.');
      expect(event.data.deployments[0]).toMatchObject({
        deploymentId: 'R-1:W-1:staging',
        previousStart: '2026-12-07T00:00:00Z',
        start: '2026-12-07T03:00:00Z',
      });
    });

    it('leaves a plan that still fits alone', () => {
      given(scheduled())
        .when({
          type: 'ReplaceDeployments',
          data: { releaseId: 'R-1', trigger: { kind: 'override-expired', id: 'O-1' } },
          metadata: meta(),
        })
        .thenNothingHappened();
    });
  });

  describe('given a release whose placement failed', () => {
    it('refuses to re-place it (rule plan-scheduled)', () => {
      const failed = [...decide(scope(), context(windowsPlacement([])))];
      DeciderSpecification.for(
        deploymentPlanDecider,
        context(),
      )(failed)
        .when({
          type: 'ReplaceDeployments',
          data: { releaseId: 'R-1', trigger: { kind: 'freeze-added', id: 'F-1' } },
          metadata: meta(),
        })
        .thenThrows(RuleViolation, { rule: 'plan-scheduled' });
    });
  });
});
