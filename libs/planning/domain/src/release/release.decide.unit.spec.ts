import { allocate } from '../allocation/allocate';
import type { Plan } from '../allocation/allocation.types';
import { capacityFromHistory } from '../capacity/velocity';
import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import { AlreadyExistsError, NotFoundError, RuleViolation } from '@trainyard/kernel';
import { NOW, candidate, meta } from '../test-support/planning.fixtures';
import type { ReleaseCommand } from './release.commands';
import { decideRelease } from './release.decide';
import { releaseDecider } from './release.decider';
import type { ReleaseEvent } from './release.events';
import { releaseHistory } from './release-history.projection';
import type { Release } from './release.state';

const given = (events: readonly ReleaseEvent[]): Release =>
  events.reduce(releaseDecider.evolve, releaseDecider.initialState());
const when = (state: Release, command: ReleaseCommand) => decideRelease(command, state);
const window = { start: '2026-12-01T08:00:00Z', end: '2026-12-01T18:00:00Z' };
const planned: ReleaseEvent = {
  type: 'ReleasePlanned',
  data: { releaseId: 'R-1', trainId: 'main', window, plannedBy: 'alice', plannedAt: NOW },
};
const plan = (): Plan =>
  allocate({
    release: { releaseId: 'R-1', trainId: 'main' },
    capacityByTeam: { payments: 10, search: 20, identity: 10 },
    policy: {
      ...DEFAULT_PLANNING_POLICY,
      allocation: { teamCapShare: 1, techDebtReserveShare: 0 },
    },
    candidates: [
      candidate({ workloadId: 'W-1', team: 'payments', jobSize: 5 }),
      candidate({ workloadId: 'W-2', team: 'search', jobSize: 3 }),
      candidate({ workloadId: 'W-3', team: 'search', jobSize: 13, changeType: 'compliance-audit' }),
    ],
  });
const committed = (): ReleaseEvent[] => [
  ...when(given([planned]), {
    type: 'CommitScope',
    data: { releaseId: 'R-1', plan: plan() },
    metadata: meta(),
  }),
];

describe('release decider', () => {
  describe('given no release', () => {
    it('plans a release of a known train for a window', () => {
      expect(
        when(given([]), {
          type: 'PlanRelease',
          data: { releaseId: 'R-1', trainId: 'main', window },
          metadata: meta(),
        }),
      ).toEqual([planned]);
    });

    it('refuses an unknown train', () => {
      expect(() =>
        when(given([]), {
          type: 'PlanRelease',
          data: { releaseId: 'R-1', trainId: 'nope', window },
          metadata: meta(),
        }),
      ).toThrow(NotFoundError);
    });

    it('refuses a window that ends before it starts', () => {
      expect(() =>
        when(given([]), {
          type: 'PlanRelease',
          data: {
            releaseId: 'R-1',
            trainId: 'main',
            window: { start: window.end, end: window.start },
          },
          metadata: meta(),
        }),
      ).toThrow(expect.objectContaining({ field: 'window.end' }) as Error);
    });

    it('cannot commit scope of a release it does not know', () => {
      expect(() =>
        when(given([]), {
          type: 'CommitScope',
          data: { releaseId: 'R-1', plan: plan() },
          metadata: meta(),
        }),
      ).toThrow(NotFoundError);
    });
  });

  describe('given a release in Planning', () => {
    it('planning it again with the same data changes nothing; different data conflicts', () => {
      const state = given([planned]);
      expect(
        when(state, {
          type: 'PlanRelease',
          data: { releaseId: 'R-1', trainId: 'main', window },
          metadata: meta(),
        }),
      ).toEqual([]);
      expect(() =>
        when(state, {
          type: 'PlanRelease',
          data: { releaseId: 'R-1', trainId: 'infrastructure', window },
          metadata: meta(),
        }),
      ).toThrow(AlreadyExistsError);
    });

    it('records scope negotiation without needing an exception', () => {
      const include = when(given([planned]), {
        type: 'IncludeWorkload',
        data: { releaseId: 'R-1', workloadId: 'W-9' },
        metadata: meta({ actor: 'po-anna', reason: 'launch date promised' }),
      });
      expect(include).toEqual([
        {
          type: 'ReleaseScopeNegotiated',
          data: {
            releaseId: 'R-1',
            workloadId: 'W-9',
            change: 'include',
            reason: 'launch date promised',
            negotiatedBy: 'po-anna',
            negotiatedAt: NOW,
          },
        },
      ]);
      const exclude = when(given([planned, ...include]), {
        type: 'ExcludeWorkload',
        data: { releaseId: 'R-1', workloadId: 'W-9' },
        metadata: meta(),
      });
      expect(given([planned, ...include, ...exclude])).toMatchObject({
        status: 'Planning',
        negotiated: { include: [], exclude: ['W-9'] },
      });
    });

    it('commits the allocation plan with the included workloads and deployment order', () => {
      const events = committed();
      expect(events[0]).toMatchObject({
        type: 'ReleaseScopeCommitted',
        data: {
          releaseId: 'R-1',
          trainId: 'main',
          workloads: [
            { workloadId: 'W-3', team: 'search', jobSize: 13, changeType: 'compliance-audit' },
            { workloadId: 'W-2', team: 'search', jobSize: 3 },
            { workloadId: 'W-1', team: 'payments', jobSize: 5 },
          ],
          capacityTotal: 40,
          capacityUsed: 21,
          deferredCount: 0,
          committedBy: 'alice',
        },
      });
      expect(given([planned, ...events])).toMatchObject({
        status: 'ScopeCommitted',
        kind: 'train',
      });
    });

    it('turns every missed compliance guarantee in the plan into an event', () => {
      const tight = allocate({
        release: { releaseId: 'R-1', trainId: 'main' },
        capacityByTeam: { search: 5 },
        candidates: [
          candidate({
            workloadId: 'W-3',
            team: 'search',
            jobSize: 13,
            changeType: 'compliance-audit',
          }),
        ],
      });
      const events = when(given([planned]), {
        type: 'CommitScope',
        data: { releaseId: 'R-1', plan: tight },
        metadata: meta(),
      });
      expect(events.map((e) => e.type)).toEqual([
        'ReleaseScopeCommitted',
        'ComplianceGuaranteeMissed',
      ]);
      expect(events[1]).toMatchObject({
        data: { workloadId: 'W-3', team: 'search', detectedAt: NOW },
      });
    });

    it('refuses a plan computed for another release', () => {
      const other = { ...plan(), releaseId: 'R-2' };
      expect(() =>
        when(given([planned]), {
          type: 'CommitScope',
          data: { releaseId: 'R-1', plan: other },
          metadata: meta(),
        }),
      ).toThrow(expect.objectContaining({ field: 'plan.releaseId' }) as Error);
    });

    it('refuses a plan that ignores a negotiated exclusion', () => {
      const negotiated: ReleaseEvent = {
        type: 'ReleaseScopeNegotiated',
        data: {
          releaseId: 'R-1',
          workloadId: 'W-1',
          change: 'exclude',
          negotiatedBy: 'po',
          negotiatedAt: NOW,
        },
      };
      expect(() =>
        when(given([planned, negotiated]), {
          type: 'CommitScope',
          data: { releaseId: 'R-1', plan: plan() },
          metadata: meta(),
        }),
      ).toThrow(expect.objectContaining({ rule: 'negotiated-exclusion' }) as Error);
    });

    it('refuses to close before scope is committed', () => {
      expect(() =>
        when(given([planned]), {
          type: 'CloseRelease',
          data: { releaseId: 'R-1', completed: [] },
          metadata: meta(),
        }),
      ).toThrow(expect.objectContaining({ rule: 'scope-committed-before-close' }) as Error);
    });
  });

  describe('given a release with committed scope', () => {
    const state = () => given([planned, ...committed()]);

    it('committing again changes nothing', () => {
      expect(
        when(state(), {
          type: 'CommitScope',
          data: { releaseId: 'R-1', plan: plan() },
          metadata: meta(),
        }),
      ).toEqual([]);
    });

    it('refuses to include a workload without an exception', () => {
      expect(() =>
        when(state(), {
          type: 'IncludeWorkload',
          data: { releaseId: 'R-1', workloadId: 'W-7', team: 'payments', jobSize: 3 },
          metadata: meta(),
        }),
      ).toThrow(expect.objectContaining({ rule: 'scope-change-requires-exception' }) as Error);
    });

    it('includes a workload with an approved exception, as unplanned work', () => {
      const events = when(state(), {
        type: 'IncludeWorkload',
        data: {
          releaseId: 'R-1',
          workloadId: 'W-7',
          team: 'payments',
          jobSize: 3,
          exception: { reason: 'regulator deadline', approver: 'cab-bob' },
        },
        metadata: meta(),
      });
      expect(events).toEqual([
        {
          type: 'ScopeExceptionGranted',
          data: {
            releaseId: 'R-1',
            workloadId: 'W-7',
            change: 'include',
            reason: 'regulator deadline',
            approver: 'cab-bob',
            requestedBy: 'alice',
            grantedAt: NOW,
          },
        },
        {
          type: 'ReleaseWorkloadIncluded',
          data: {
            releaseId: 'R-1',
            workloadId: 'W-7',
            team: 'payments',
            jobSize: 3,
            unplanned: true,
            capacityUsed: 24,
            capacityTotal: 40,
            includedAt: NOW,
          },
        },
      ]);
    });

    it('refuses an exception approved by its own requester', () => {
      expect(() =>
        when(state(), {
          type: 'ExcludeWorkload',
          data: {
            releaseId: 'R-1',
            workloadId: 'W-1',
            exception: { reason: 'not ready', approver: 'alice' },
          },
          metadata: meta(),
        }),
      ).toThrow(expect.objectContaining({ rule: 'independent-approver' }) as Error);
    });

    it('excludes a workload with an approved exception', () => {
      const events = when(state(), {
        type: 'ExcludeWorkload',
        data: {
          releaseId: 'R-1',
          workloadId: 'W-1',
          exception: { reason: 'not ready', approver: 'cab-bob' },
        },
        metadata: meta(),
      });
      expect(events.map((e) => e.type)).toEqual([
        'ScopeExceptionGranted',
        'ReleaseWorkloadExcluded',
      ]);
      const after = given([planned, ...committed(), ...events]);
      expect(after.status === 'ScopeCommitted' && after.scope.map((s) => s.workloadId)).toEqual([
        'W-3',
        'W-2',
      ]);
    });

    it('excluding a workload that is not in scope changes nothing', () => {
      expect(
        when(state(), {
          type: 'ExcludeWorkload',
          data: { releaseId: 'R-1', workloadId: 'W-99' },
          metadata: meta(),
        }),
      ).toEqual([]);
    });

    it('closes the release, recording delivery per team for velocity', () => {
      const exception = when(state(), {
        type: 'IncludeWorkload',
        data: {
          releaseId: 'R-1',
          workloadId: 'W-7',
          team: 'payments',
          jobSize: 3,
          exception: { reason: 'r', approver: 'bob' },
        },
        metadata: meta(),
      });
      const events = when(given([planned, ...committed(), ...exception]), {
        type: 'CloseRelease',
        data: {
          releaseId: 'R-1',
          completed: [
            { workloadId: 'W-1', jobSize: 5 },
            { workloadId: 'W-3', jobSize: 20 },
            { workloadId: 'W-7', jobSize: 2 },
          ],
        },
        metadata: meta(),
      });
      expect(events).toEqual([
        {
          type: 'ReleaseClosed',
          data: {
            releaseId: 'R-1',
            trainId: 'main',
            kind: 'train',
            completed: [
              { workloadId: 'W-3', team: 'search', jobSize: 20, unplanned: false },
              { workloadId: 'W-1', team: 'payments', jobSize: 5, unplanned: false },
              { workloadId: 'W-7', team: 'payments', jobSize: 2, unplanned: true },
            ],
            notCompleted: ['W-2'],
            teams: [
              { team: 'payments', completedJobSize: 5, unplannedJobSize: 2, plannedJobSize: 5 },
              { team: 'search', completedJobSize: 20, unplannedJobSize: 0, plannedJobSize: 16 },
            ],
            closedBy: 'alice',
            closedAt: NOW,
          },
        },
      ]);
      // The history feeds capacity: the team's velocity is its delivered planned work.
      const history = releaseHistory([planned, ...committed(), ...exception, ...events]);
      expect(capacityFromHistory({ history, teams: ['payments'] }).teams[0]).toMatchObject({
        capacity: 5,
        basis: 'history',
      });
    });

    it('refuses to close with a workload that was not in scope', () => {
      expect(() =>
        when(state(), {
          type: 'CloseRelease',
          data: { releaseId: 'R-1', completed: [{ workloadId: 'W-99', jobSize: 3 }] },
          metadata: meta(),
        }),
      ).toThrow(expect.objectContaining({ field: 'completed[0].workloadId' }) as Error);
    });

    it('cancels with a reason, returning the scope to the backlog', () => {
      expect(
        when(state(), {
          type: 'CancelRelease',
          data: { releaseId: 'R-1' },
          metadata: meta({ reason: 'freeze' }),
        }),
      ).toEqual([
        {
          type: 'ReleaseCancelled',
          data: {
            releaseId: 'R-1',
            reason: 'freeze',
            workloadIds: ['W-3', 'W-2', 'W-1'],
            cancelledBy: 'alice',
            cancelledAt: NOW,
          },
        },
      ]);
    });
  });

  describe('given a released release', () => {
    const closed: ReleaseEvent = {
      type: 'ReleaseClosed',
      data: {
        releaseId: 'R-1',
        trainId: 'main',
        kind: 'train',
        completed: [],
        notCompleted: [],
        teams: [],
        closedBy: 'alice',
        closedAt: NOW,
      },
    };
    const state = () => given([planned, ...committed(), closed]);

    it('closing again changes nothing', () => {
      expect(
        when(state(), {
          type: 'CloseRelease',
          data: { releaseId: 'R-1', completed: [] },
          metadata: meta(),
        }),
      ).toEqual([]);
    });

    it('refuses scope changes and cancellation', () => {
      expect(() =>
        when(state(), {
          type: 'IncludeWorkload',
          data: {
            releaseId: 'R-1',
            workloadId: 'W-8',
            exception: { reason: 'r', approver: 'bob' },
          },
          metadata: meta(),
        }),
      ).toThrow(RuleViolation);
      expect(() =>
        when(state(), {
          type: 'CancelRelease',
          data: { releaseId: 'R-1' },
          metadata: meta({ reason: 'x' }),
        }),
      ).toThrow(expect.objectContaining({ rule: 'release-open' }) as Error);
    });
  });

  describe('emergency patches', () => {
    const request = (
      overrides: Partial<Extract<ReleaseCommand, { type: 'RequestEmergencyPatch' }>['data']> = {},
    ): ReleaseCommand => ({
      type: 'RequestEmergencyPatch',
      data: {
        releaseId: 'HF-1',
        trackId: 'hotfix',
        workloadId: 'W-50',
        team: 'payments',
        jobSize: 2,
        severity: 5,
        linkedIncident: 'INC-42',
        approver: 'oncall-lead',
        ...overrides,
      },
      metadata: meta(),
    });

    it('schedules a patch that meets every criterion on an independent track, as unplanned work', () => {
      expect(when(given([]), request())).toEqual([
        {
          type: 'EmergencyPatchScheduled',
          data: {
            releaseId: 'HF-1',
            trackId: 'hotfix',
            workloadId: 'W-50',
            team: 'payments',
            jobSize: 2,
            severity: 5,
            linkedIncident: 'INC-42',
            approver: 'oncall-lead',
            unplanned: true,
            policyVersion: expect.any(String) as string,
            requestedBy: 'alice',
            scheduledAt: NOW,
          },
        },
      ]);
    });

    it.each([
      ['emergency-patch.severity', { severity: 3 }],
      ['emergency-patch.severity', { severity: undefined }],
      ['emergency-patch.linked-incident', { linkedIncident: undefined }],
      ['emergency-patch.approver', { approver: undefined }],
      ['emergency-patch.independent-track', { trackId: 'main' }],
      ['independent-approver', { approver: 'alice' }],
    ])('refuses it, naming rule %s', (rule, overrides) => {
      expect(() => when(given([]), request(overrides))).toThrow(
        expect.objectContaining({ kind: 'rule_violation', rule }) as Error,
      );
    });

    it('lists every failed criterion in the refusal', () => {
      expect(() => when(given([]), request({ severity: 2, linkedIncident: undefined }))).toThrow(
        'emergency patch refused: severity 2 is below the required 4 (emergency-patch.severity); no linked incident (emergency-patch.linked-incident)',
      );
    });

    it('closes into history as unplanned work on its track', () => {
      const scheduled = when(given([]), request());
      const closed = when(given(scheduled), {
        type: 'CloseRelease',
        data: { releaseId: 'HF-1', completed: [{ workloadId: 'W-50', jobSize: 2 }] },
        metadata: meta(),
      });
      expect(closed[0]).toMatchObject({
        data: {
          kind: 'emergency',
          trainId: 'hotfix',
          teams: [
            { team: 'payments', completedJobSize: 0, unplannedJobSize: 2, plannedJobSize: 0 },
          ],
        },
      });
    });

    it('refuses to add more workloads to an emergency release', () => {
      expect(() =>
        when(given(when(given([]), request())), {
          type: 'IncludeWorkload',
          data: {
            releaseId: 'HF-1',
            workloadId: 'W-51',
            team: 'payments',
            jobSize: 1,
            exception: { reason: 'r', approver: 'bob' },
          },
          metadata: meta(),
        }),
      ).toThrow(expect.objectContaining({ rule: 'emergency-patch-single-workload' }) as Error);
    });
  });
});
