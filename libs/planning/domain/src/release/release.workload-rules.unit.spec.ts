// The release rules that used to live in the planning app (issue 9): preview only in planning,
// "job size 0 = as planned" at close, emergency-patch defaults from the workload profile, and a
// scope exception refused when the workload's side would refuse.
import type { Plan } from '../allocation/allocation.types';
import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import { NOW, meta, registration } from '../test-support/planning.fixtures';
import { workloadDecider } from '../workload/workload.decider';
import type { WorkloadEvent } from '../workload/workload.events';
import type { Workload } from '../workload/workload.state';
import type { ReleaseCommand } from './release.commands';
import { allocatableRelease, decideRelease } from './release.decide';
import { releaseDecider } from './release.decider';
import type { ReleaseEvent } from './release.events';
import type { Release } from './release.state';

const policy = DEFAULT_PLANNING_POLICY;
const given = (events: readonly ReleaseEvent[]): Release =>
  events.reduce(releaseDecider.evolve, releaseDecider.initialState());
const workload = (events: readonly WorkloadEvent[] = []): Workload => {
  const registered = workloadDecider.decide(
    {
      type: 'RegisterWorkload',
      data: registration({ workloadId: 'W-1', severity: 5, linkedIncident: 'INC-1' }),
      metadata: meta(),
    },
    workloadDecider.initialState(),
    { policy },
  );
  return [...registered, ...events].reduce(workloadDecider.evolve, workloadDecider.initialState());
};
const window = { start: '2026-12-01T08:00:00Z', end: '2026-12-01T18:00:00Z' };
const planned: ReleaseEvent = {
  type: 'ReleasePlanned',
  data: { releaseId: 'R-1', trainId: 'main', window, plannedBy: 'alice', plannedAt: NOW },
};
const committed: ReleaseEvent = {
  type: 'ReleaseScopeCommitted',
  data: {
    releaseId: 'R-1',
    trainId: 'main',
    workloads: [
      { workloadId: 'W-2', team: 'search', jobSize: 8, changeType: 'net-new-feature', order: 1 },
    ],
    deploymentOrder: [],
    capacityTotal: 40,
    capacityUsed: 8,
    deferredCount: 0,
    policyVersion: policy.version,
    committedBy: 'alice',
    committedAt: NOW,
  },
};
const emptyPlan: Plan = {
  releaseId: 'R-1',
  trainId: 'main',
  policyVersion: policy.version,
  entries: [
    {
      workloadId: 'W-1',
      team: 'payments',
      jobSize: 5,
      changeType: 'net-new-feature',
      decision: 'deferred',
      reason: 'over capacity',
      wsjf: 3,
      costOfDelay: 15,
      order: 1,
    },
  ],
  capacityUsed: 0,
  capacityTotal: 40,
  teams: [],
  techDebt: { reserve: 0, used: 0, returnedToFeatures: 0 },
  alerts: [],
  couplingFlags: [],
  versionSkews: [],
  deprecationFlags: [],
  contractGroups: [],
  deploymentOrder: [],
};
const decide = (state: Release, command: ReleaseCommand, w?: Workload) =>
  decideRelease(command, state, { policy, ...(w ? { workload: w } : {}) });

describe('release rules that need the workload or the committed scope', () => {
  it('allocates only a release in planning, refusing others with the rule every closed state uses', () => {
    expect(allocatableRelease(given([planned]), 'R-1')).toMatchObject({ status: 'Planning' });
    expect(() => allocatableRelease(given([]), 'R-1')).toThrow(
      expect.objectContaining({ kind: 'not_found' }) as Error,
    );
    expect(() => allocatableRelease(given([planned, committed]), 'R-1')).toThrow(
      expect.objectContaining({ rule: 'release-open' }) as Error,
    );
  });

  it('records the deferred workloads and their reasons in the commit, and needs a plan in planning', () => {
    const [event] = decide(given([planned]), {
      type: 'CommitScope',
      data: { releaseId: 'R-1', plan: emptyPlan },
      metadata: meta(),
    });
    expect(event).toMatchObject({
      type: 'ReleaseScopeCommitted',
      data: { deferred: [{ workloadId: 'W-1', reason: 'over capacity' }], deferredCount: 1 },
    });
    expect(() =>
      decide(given([planned]), {
        type: 'CommitScope',
        data: { releaseId: 'R-1' },
        metadata: meta(),
      }),
    ).toThrow(expect.objectContaining({ field: 'plan' }) as Error);
    expect(
      decide(given([planned, committed]), {
        type: 'CommitScope',
        data: { releaseId: 'R-1' },
        metadata: meta(),
      }),
    ).toEqual([]);
  });

  it('closes a completed workload with job size 0 at the size committed for it', () => {
    const [closed] = decide(given([planned, committed]), {
      type: 'CloseRelease',
      data: { releaseId: 'R-1', completed: [{ workloadId: 'W-2', jobSize: 0 }] },
      metadata: meta(),
    });
    expect(closed).toMatchObject({
      type: 'ReleaseClosed',
      data: { completed: [{ workloadId: 'W-2', jobSize: 8 }] },
    });
  });

  it('fills an emergency patch from the registered workload profile when the request leaves fields out', () => {
    const [scheduled] = decide(
      given([]),
      {
        type: 'RequestEmergencyPatch',
        data: {
          releaseId: 'HF-1',
          trackId: 'hotfix',
          workloadId: 'W-1',
          team: '',
          jobSize: 0,
          approver: 'oncall-lead',
        },
        metadata: meta(),
      },
      workload(),
    );
    expect(scheduled).toMatchObject({
      type: 'EmergencyPatchScheduled',
      data: { team: 'payments', jobSize: 5, severity: 5, linkedIncident: 'INC-1' },
    });
  });

  it('refuses an emergency patch or a scope exception for a workload planned in another release, before anything is written', () => {
    const elsewhere = workload([
      {
        type: 'WorkloadPlanned',
        data: {
          workloadId: 'W-1',
          team: 'payments',
          releaseId: 'R-9',
          plannedBy: 'alice',
          plannedAt: NOW,
        },
      },
    ]);
    const patch: ReleaseCommand = {
      type: 'RequestEmergencyPatch',
      data: {
        releaseId: 'HF-1',
        trackId: 'hotfix',
        workloadId: 'W-1',
        team: '',
        jobSize: 0,
        approver: 'lead',
      },
      metadata: meta(),
    };
    expect(() => decide(given([]), patch, elsewhere)).toThrow(
      expect.objectContaining({ rule: 'workload-planned-once' }) as Error,
    );
    const include: ReleaseCommand = {
      type: 'IncludeWorkload',
      data: {
        releaseId: 'R-1',
        workloadId: 'W-1',
        exception: { reason: 'deadline', approver: 'head' },
      },
      metadata: meta(),
    };
    expect(() => decide(given([planned, committed]), include, elsewhere)).toThrow(
      expect.objectContaining({ rule: 'workload-planned-once' }) as Error,
    );
    expect(decide(given([planned, committed]), include, workload())).toMatchObject([
      { type: 'ScopeExceptionGranted' },
      { type: 'ReleaseWorkloadIncluded', data: { team: 'payments', jobSize: 5, unplanned: true } },
    ]);
  });

  it('answers NOT_FOUND to a scope exception for a workload that was never registered', () => {
    expect(() =>
      decide(
        given([planned, committed]),
        {
          type: 'IncludeWorkload',
          data: {
            releaseId: 'R-1',
            workloadId: 'W-0',
            exception: { reason: 'r', approver: 'head' },
          },
          metadata: meta(),
        },
        workloadDecider.initialState(),
      ),
    ).toThrow(expect.objectContaining({ kind: 'not_found' }) as Error);
  });
});
