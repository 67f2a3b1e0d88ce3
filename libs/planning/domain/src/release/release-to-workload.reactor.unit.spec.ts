import type { ReactionMetadata } from '@trainyard/kernel';
import { initialWorkload } from '../workload/workload.state';
import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import type { ReleaseEvent } from './release.events';
import { reactToReleaseForWorkloads, workloadReactionDecider } from './release-to-workload.reactor';

const caused: ReactionMetadata = {
  eventId: 'e-1',
  streamId: 'release-R-1',
  actor: 'alice',
  reason: 'end of PI',
  recordedAt: '2031-01-01T00:00:09Z',
};
const react = (event: ReleaseEvent) => reactToReleaseForWorkloads(event, caused);

describe('release → workload reactions', () => {
  it('plans every included workload and defers every left-out one when the scope is committed, at the commit time', () => {
    const commands = react({
      type: 'ReleaseScopeCommitted',
      data: {
        releaseId: 'R-1',
        trainId: 'main',
        workloads: [
          {
            workloadId: 'W-1',
            team: 't',
            jobSize: 3,
            changeType: 'net-new-feature',
            order: 1,
            reason: 'fits',
          },
          { workloadId: 'W-2', team: 't', jobSize: 2, changeType: 'net-new-feature', order: 2 },
        ],
        deferred: [{ workloadId: 'W-3', reason: 'over capacity' }],
        deploymentOrder: [],
        capacityTotal: 10,
        capacityUsed: 5,
        deferredCount: 1,
        policyVersion: 'p1',
        committedBy: 'alice',
        committedAt: '2031-01-01T00:00:00Z',
      },
    });
    expect(commands).toEqual([
      {
        type: 'PlanWorkload',
        data: { workloadId: 'W-1', releaseId: 'R-1' },
        metadata: { now: '2031-01-01T00:00:00Z', actor: 'alice', reason: 'fits' },
      },
      {
        type: 'PlanWorkload',
        data: { workloadId: 'W-2', releaseId: 'R-1' },
        metadata: {
          now: '2031-01-01T00:00:00Z',
          actor: 'alice',
          reason: 'committed in release R-1',
        },
      },
      {
        type: 'DeferWorkload',
        data: { workloadId: 'W-3', releaseId: 'R-1', reason: 'over capacity' },
        metadata: { now: '2031-01-01T00:00:00Z', actor: 'alice', reason: 'over capacity' },
      },
    ]);
  });

  it('completes what a close delivered and defers what it did not', () => {
    const commands = react({
      type: 'ReleaseClosed',
      data: {
        releaseId: 'R-1',
        trainId: 'main',
        kind: 'train',
        completed: [{ workloadId: 'W-1', team: 't', jobSize: 3, unplanned: false }],
        notCompleted: ['W-2'],
        teams: [],
        closedBy: 'alice',
        closedAt: '2031-01-15T00:00:00Z',
      },
    });
    expect(commands).toEqual([
      {
        type: 'CompleteWorkload',
        data: { workloadId: 'W-1', releaseId: 'R-1', completedJobSize: 3 },
        metadata: { now: '2031-01-15T00:00:00Z', actor: 'alice', reason: 'end of PI' },
      },
      {
        type: 'DeferWorkload',
        data: { workloadId: 'W-2', releaseId: 'R-1', reason: 'not completed in release R-1' },
        metadata: {
          now: '2031-01-15T00:00:00Z',
          actor: 'alice',
          reason: 'not completed in release R-1',
        },
      },
    ]);
  });

  it('defers every workload of a cancelled release with the cancellation reason', () => {
    expect(
      react({
        type: 'ReleaseCancelled',
        data: {
          releaseId: 'R-1',
          reason: 'train skipped',
          workloadIds: ['W-1'],
          cancelledBy: 'alice',
          cancelledAt: '2031-01-02T00:00:00Z',
        },
      }),
    ).toEqual([
      {
        type: 'DeferWorkload',
        data: {
          workloadId: 'W-1',
          releaseId: 'R-1',
          reason: 'release R-1 cancelled: train skipped',
        },
        metadata: {
          now: '2031-01-02T00:00:00Z',
          actor: 'alice',
          reason: 'release R-1 cancelled: train skipped',
        },
      },
    ]);
  });

  it('plans an included exception and an emergency patch, defers an excluded exception', () => {
    const granted = (change: 'include' | 'exclude'): ReleaseEvent => ({
      type: 'ScopeExceptionGranted',
      data: {
        releaseId: 'R-1',
        workloadId: 'W-9',
        change,
        reason: 'regulator deadline',
        approver: 'head',
        requestedBy: 'alice',
        grantedAt: '2031-01-03T00:00:00Z',
      },
    });
    expect(react(granted('include')).map((c) => [c.type, c.metadata.reason])).toEqual([
      ['PlanWorkload', 'scope exception approved by head: regulator deadline'],
    ]);
    expect(react(granted('exclude'))).toMatchObject([
      {
        type: 'DeferWorkload',
        data: {
          reason: 'excluded from R-1 by scope exception approved by head: regulator deadline',
        },
      },
    ]);
    expect(
      react({
        type: 'EmergencyPatchScheduled',
        data: {
          releaseId: 'R-HOT',
          trackId: 'hotfix',
          workloadId: 'W-7',
          team: 't',
          jobSize: 1,
          severity: 1,
          unplanned: true,
          policyVersion: 'p1',
          requestedBy: 'alice',
          scheduledAt: '2031-01-04T00:00:00Z',
        },
      }),
    ).toEqual([
      {
        type: 'PlanWorkload',
        data: { workloadId: 'W-7', releaseId: 'R-HOT' },
        metadata: {
          now: '2031-01-04T00:00:00Z',
          actor: 'alice',
          reason: 'emergency patch release R-HOT',
        },
      },
    ]);
  });

  it('has no consequence for release events that do not touch workloads', () => {
    expect(
      react({
        type: 'ReleasePlanned',
        data: {
          releaseId: 'R-1',
          trainId: 'main',
          window: { start: '2031-01-01T00:00:00Z', end: '2031-01-14T00:00:00Z' },
          plannedBy: 'alice',
          plannedAt: '2031-01-01T00:00:00Z',
        },
      }),
    ).toEqual([]);
  });

  it('never creates a workload: a reaction on an unregistered one does nothing', () => {
    expect(
      workloadReactionDecider.decide(
        {
          type: 'PlanWorkload',
          data: { workloadId: 'W-0', releaseId: 'R-1' },
          metadata: { now: '2031-01-01T00:00:00Z', actor: 'alice' },
        },
        initialWorkload(),
        { policy: DEFAULT_PLANNING_POLICY },
      ),
    ).toEqual([]);
  });
});
