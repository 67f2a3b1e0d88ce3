import {
  AlreadyExistsError,
  DeciderSpecification,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import { allocate } from '../allocation/allocate';
import type { Plan } from '../allocation/allocation.types';
import { capacityFromHistory } from '../capacity/velocity';
import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import { NOW, candidate, meta } from '../test-support/planning.fixtures';
import type { ReleaseCommand } from './release.commands';
import { releaseDecider } from './release.decider';
import type { ReleaseClosed, ReleaseEvent } from './release.events';
import type { Release } from './release.state';

const given = DeciderSpecification.for(releaseDecider, { policy: DEFAULT_PLANNING_POLICY });
const stateAfter = (events: readonly ReleaseEvent[]): Release =>
  events.reduce(releaseDecider.evolve, releaseDecider.initialState());
const decided = (events: readonly ReleaseEvent[], command: ReleaseCommand): ReleaseEvent[] => [
  ...releaseDecider.decide(command, stateAfter(events), { policy: DEFAULT_PLANNING_POLICY }),
];
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
const commit = (p: Plan = plan()): ReleaseCommand => ({
  type: 'CommitScope',
  data: { releaseId: 'R-1', plan: p },
  metadata: meta(),
});
// The committed scope carries the whole plan's outputs, so it is decided from the plan rather than
// written out; everything after it is literal.
const committed = (): ReleaseEvent[] => decided([planned], commit());

describe('release decider', () => {
  describe('given no release', () => {
    it('plans a release of a known train for a window', () => {
      given([])
        .when({
          type: 'PlanRelease',
          data: { releaseId: 'R-1', trainId: 'main', window },
          metadata: meta(),
        })
        .then([planned]);
    });

    it('refuses an unknown train', () => {
      given([])
        .when({
          type: 'PlanRelease',
          data: { releaseId: 'R-1', trainId: 'nope', window },
          metadata: meta(),
        })
        .thenThrows(NotFoundError);
    });

    it('refuses a window that ends before it starts', () => {
      given([])
        .when({
          type: 'PlanRelease',
          data: {
            releaseId: 'R-1',
            trainId: 'main',
            window: { start: window.end, end: window.start },
          },
          metadata: meta(),
        })
        .thenThrows(ValidationError, { field: 'window.end' });
    });

    it('cannot commit scope of a release it does not know', () => {
      given([]).when(commit()).thenThrows(NotFoundError);
    });
  });

  describe('given a release in Planning', () => {
    it('planning it again with the same data changes nothing; different data conflicts', () => {
      given([planned])
        .when({
          type: 'PlanRelease',
          data: { releaseId: 'R-1', trainId: 'main', window },
          metadata: meta(),
        })
        .thenNothingHappened();
      given([planned])
        .when({
          type: 'PlanRelease',
          data: { releaseId: 'R-1', trainId: 'infrastructure', window },
          metadata: meta(),
        })
        .thenThrows(AlreadyExistsError);
    });

    it('records scope negotiation without needing an exception', () => {
      const include: ReleaseEvent = {
        type: 'ReleaseScopeNegotiated',
        data: {
          releaseId: 'R-1',
          workloadId: 'W-9',
          change: 'include',
          reason: 'launch date promised',
          negotiatedBy: 'po-anna',
          negotiatedAt: NOW,
        },
      };
      given([planned])
        .when({
          type: 'IncludeWorkload',
          data: { releaseId: 'R-1', workloadId: 'W-9' },
          metadata: meta({ actor: 'po-anna', reason: 'launch date promised' }),
        })
        .then([include]);
      given([planned, include])
        .when({
          type: 'ExcludeWorkload',
          data: { releaseId: 'R-1', workloadId: 'W-9' },
          metadata: meta(),
        })
        .thenEvents((exclude) =>
          expect(stateAfter([planned, include, ...exclude])).toMatchObject({
            status: 'Planning',
            negotiated: { include: [], exclude: ['W-9'] },
          }),
        );
    });

    it('commits the allocation plan with the included workloads and deployment order', () => {
      given([planned])
        .when(commit())
        .thenEvents((events) => {
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
          expect(stateAfter([planned, ...events])).toMatchObject({
            status: 'ScopeCommitted',
            kind: 'train',
          });
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
      given([planned])
        .when(commit(tight))
        .thenEvents((events) => {
          expect(events.map((e) => e.type)).toEqual([
            'ReleaseScopeCommitted',
            'ComplianceGuaranteeMissed',
          ]);
          expect(events[1]).toMatchObject({
            data: { workloadId: 'W-3', team: 'search', detectedAt: NOW },
          });
        });
    });

    it('refuses a plan computed for another release', () => {
      given([planned])
        .when(commit({ ...plan(), releaseId: 'R-2' }))
        .thenThrows(ValidationError, { field: 'plan.releaseId' });
    });

    it('refuses a plan that uses more than the release capacity', () => {
      const overfull = plan();
      given([planned])
        .when(commit({ ...overfull, capacityTotal: 20 }))
        .thenThrows(RuleViolation, {
          rule: 'release-capacity',
          message: 'plan uses 21 of 20 capacity',
        });
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
      given([planned, negotiated])
        .when(commit())
        .thenThrows(RuleViolation, { rule: 'negotiated-exclusion' });
    });

    it('refuses to close before scope is committed', () => {
      given([planned])
        .when({ type: 'CloseRelease', data: { releaseId: 'R-1', completed: [] }, metadata: meta() })
        .thenThrows(RuleViolation, { rule: 'scope-committed-before-close' });
    });
  });

  describe('given a release with committed scope', () => {
    const scope = () => [planned, ...committed()];

    it('committing again changes nothing', () => {
      given(scope()).when(commit()).thenNothingHappened();
    });

    it('refuses to include a workload without an exception', () => {
      given(scope())
        .when({
          type: 'IncludeWorkload',
          data: { releaseId: 'R-1', workloadId: 'W-7', team: 'payments', jobSize: 3 },
          metadata: meta(),
        })
        .thenThrows(RuleViolation, { rule: 'scope-change-requires-exception' });
    });

    it('includes a workload with an approved exception, as unplanned work', () => {
      given(scope())
        .when({
          type: 'IncludeWorkload',
          data: {
            releaseId: 'R-1',
            workloadId: 'W-7',
            team: 'payments',
            jobSize: 3,
            exception: { reason: 'regulator deadline', approver: 'cab-bob' },
          },
          metadata: meta(),
        })
        .then([
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
      given(scope())
        .when({
          type: 'ExcludeWorkload',
          data: {
            releaseId: 'R-1',
            workloadId: 'W-1',
            exception: { reason: 'not ready', approver: 'alice' },
          },
          metadata: meta(),
        })
        .thenThrows(RuleViolation, { rule: 'independent-approver' });
    });

    it('excludes a workload with an approved exception', () => {
      given(scope())
        .when({
          type: 'ExcludeWorkload',
          data: {
            releaseId: 'R-1',
            workloadId: 'W-1',
            exception: { reason: 'not ready', approver: 'cab-bob' },
          },
          metadata: meta(),
        })
        .thenEvents((events) => {
          expect(events.map((e) => e.type)).toEqual([
            'ScopeExceptionGranted',
            'ReleaseWorkloadExcluded',
          ]);
          const after = stateAfter([...scope(), ...events]);
          expect(after.status === 'ScopeCommitted' && after.scope.map((s) => s.workloadId)).toEqual(
            ['W-3', 'W-2'],
          );
        });
    });

    it('excluding a workload that is not in scope changes nothing', () => {
      given(scope())
        .when({
          type: 'ExcludeWorkload',
          data: { releaseId: 'R-1', workloadId: 'W-99' },
          metadata: meta(),
        })
        .thenNothingHappened();
    });

    it('closes the release, recording delivery per team for velocity', () => {
      const exception: ReleaseEvent[] = [
        {
          type: 'ScopeExceptionGranted',
          data: {
            releaseId: 'R-1',
            workloadId: 'W-7',
            change: 'include',
            reason: 'r',
            approver: 'bob',
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
      ];
      const closed: ReleaseClosed = {
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
      };
      given([...scope(), ...exception])
        .when({
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
        })
        .then([closed]);
      // The history feeds capacity: the team's velocity is its delivered planned work.
      const { releaseId, trainId, kind, closedAt, teams } = closed.data;
      const history = [{ releaseId, trainId, kind, closedAt, teams }];
      expect(capacityFromHistory({ history, teams: ['payments'] }).teams[0]).toMatchObject({
        capacity: 5,
        basis: 'history',
      });
    });

    it('refuses to close with a workload that was not in scope', () => {
      given(scope())
        .when({
          type: 'CloseRelease',
          data: { releaseId: 'R-1', completed: [{ workloadId: 'W-99', jobSize: 3 }] },
          metadata: meta(),
        })
        .thenThrows(ValidationError, { field: 'completed[0].workloadId' });
    });

    it('cancels with a reason, returning the scope to the backlog', () => {
      given(scope())
        .when({
          type: 'CancelRelease',
          data: { releaseId: 'R-1' },
          metadata: meta({ reason: 'freeze' }),
        })
        .then([
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
    const released = () => [planned, ...committed(), closed];

    it('closing again changes nothing', () => {
      given(released())
        .when({ type: 'CloseRelease', data: { releaseId: 'R-1', completed: [] }, metadata: meta() })
        .thenNothingHappened();
    });

    it('refuses scope changes and cancellation', () => {
      given(released())
        .when({
          type: 'IncludeWorkload',
          data: {
            releaseId: 'R-1',
            workloadId: 'W-8',
            exception: { reason: 'r', approver: 'bob' },
          },
          metadata: meta(),
        })
        .thenThrows(RuleViolation);
      given(released())
        .when({
          type: 'CancelRelease',
          data: { releaseId: 'R-1' },
          metadata: meta({ reason: 'x' }),
        })
        .thenThrows(RuleViolation, { rule: 'release-open' });
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
    const scheduled: ReleaseEvent = {
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
        policyVersion: DEFAULT_PLANNING_POLICY.version,
        requestedBy: 'alice',
        scheduledAt: NOW,
      },
    };

    it('schedules a patch that meets every criterion on an independent track, as unplanned work', () => {
      given([]).when(request()).then([scheduled]);
    });

    it.each([
      ['emergency-patch.severity', { severity: 3 }],
      ['emergency-patch.severity', { severity: undefined }],
      ['emergency-patch.linked-incident', { linkedIncident: undefined }],
      ['emergency-patch.approver', { approver: undefined }],
      ['emergency-patch.independent-track', { trackId: 'main' }],
      ['independent-approver', { approver: 'alice' }],
    ])('refuses it, naming rule %s', (rule, overrides) => {
      given([])
        .when(request(overrides))
        .thenThrows(RuleViolation, { kind: 'rule_violation', rule });
    });

    it('lists every failed criterion in the refusal', () => {
      given([])
        .when(request({ severity: 2, linkedIncident: undefined }))
        .thenThrows(RuleViolation, {
          message:
            'emergency patch refused: severity 2 is below the required 4 (emergency-patch.severity); no linked incident (emergency-patch.linked-incident)',
        });
    });

    it('closes into history as unplanned work on its track', () => {
      given([scheduled])
        .when({
          type: 'CloseRelease',
          data: { releaseId: 'HF-1', completed: [{ workloadId: 'W-50', jobSize: 2 }] },
          metadata: meta(),
        })
        .thenEvents((closed) =>
          expect(closed[0]).toMatchObject({
            data: {
              kind: 'emergency',
              trainId: 'hotfix',
              teams: [
                { team: 'payments', completedJobSize: 0, unplannedJobSize: 2, plannedJobSize: 0 },
              ],
            },
          }),
        );
    });

    it('refuses to add more workloads to an emergency release', () => {
      given([scheduled])
        .when({
          type: 'IncludeWorkload',
          data: {
            releaseId: 'HF-1',
            workloadId: 'W-51',
            team: 'payments',
            jobSize: 1,
            exception: { reason: 'r', approver: 'bob' },
          },
          metadata: meta(),
        })
        .thenThrows(RuleViolation, { rule: 'emergency-patch-single-workload' });
    });
  });
});
