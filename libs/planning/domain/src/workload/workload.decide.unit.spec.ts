import {
  AlreadyExistsError,
  DeciderSpecification,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import type { PlanningPolicy } from '../policy/planning-policy';
import { NOW, meta, registration } from '../test-support/planning.fixtures';
import { toAllocationCandidate } from './workload.candidate';
import type { RegisterWorkloadData, WorkloadCommand } from './workload.commands';
import type { WorkloadDecisionContext } from './workload.decide';
import { workloadDecider } from './workload.decider';
import type { WorkloadEvent, WorkloadRegistered } from './workload.events';

const context: WorkloadDecisionContext = { policy: DEFAULT_PLANNING_POLICY };
const given = DeciderSpecification.for(workloadDecider, context);
const stateAfter = (events: readonly WorkloadEvent[]) =>
  events.reduce(workloadDecider.evolve, workloadDecider.initialState());
const register = (data: Partial<RegisterWorkloadData> = {}): WorkloadCommand => ({
  type: 'RegisterWorkload',
  data: registration(data),
  metadata: meta(),
});
/** The registration of `registration()` under the default policy, as decided (first spec below). */
const registered: WorkloadRegistered = {
  type: 'WorkloadRegistered',
  data: {
    ...registration(),
    classification: {
      changeType: 'net-new-feature',
      ruleId: 'fallback',
      explanation: 'net-new-feature: no classification rule matched',
    },
    riskTier: 'medium',
    approvalPath: 'integration-tests + team-lead approval',
    riskReasons: ['base tier medium for net-new-feature'],
    route: { trackId: 'main', trackKind: 'train' },
    policyVersion: DEFAULT_PLANNING_POLICY.version,
    registeredBy: 'alice',
    registeredAt: NOW,
  },
};
const planned = (releaseId = 'R-1'): WorkloadEvent => ({
  type: 'WorkloadPlanned',
  data: { workloadId: 'W-1', team: 'payments', releaseId, plannedBy: 'planner', plannedAt: NOW },
});
const deferred = (count: number, releaseId = 'R-1'): WorkloadEvent => ({
  type: 'WorkloadDeferred',
  data: {
    workloadId: 'W-1',
    team: 'payments',
    releaseId,
    reason: 'deferred: release capacity exhausted',
    deferralCount: count,
    deferredBy: 'planner',
    deferredAt: NOW,
  },
});
const completed: WorkloadEvent = {
  type: 'WorkloadCompleted',
  data: {
    workloadId: 'W-1',
    team: 'payments',
    releaseId: 'R-1',
    completedJobSize: 5,
    completedAt: NOW,
  },
};
const plan = (releaseId: string): WorkloadCommand => ({
  type: 'PlanWorkload',
  data: { workloadId: 'W-1', releaseId },
  metadata: meta(),
});
const complete = (releaseId: string, completedJobSize: number): WorkloadCommand => ({
  type: 'CompleteWorkload',
  data: { workloadId: 'W-1', releaseId, completedJobSize },
  metadata: meta(),
});
const registeredData = (events: readonly WorkloadEvent[]): WorkloadRegistered['data'] =>
  (events[0] as WorkloadRegistered).data;

describe('workload decider', () => {
  describe('given no workload', () => {
    it('registers it with classification, risk tier, approval path and route', () => {
      given([]).when(register()).then([registered]);
    });

    it('records a sealed requester as given, and refuses a plaintext one (it could never be erased)', () => {
      const requester = {
        $pii: { v: 1 as const, subject: 'emp-1', kid: 'kek-1', iv: 'aXY=', ct: 'Y3Q=' },
      };
      given([])
        .when(register({ requester }))
        .thenEvents((events) => expect(registeredData(events).requester).toEqual(requester));
      given([])
        .when(register({ requester: 'Ada Lovelace' as unknown as typeof requester }))
        .thenThrows(ValidationError, (error) => expect(error.field).toBe('requester'));
    });

    it('raises the tier for regulated data and for a schema change, to the CAB path', () => {
      given([])
        .when(
          register({
            regulatedData: ['pii'],
            schemaChange: true,
            components: [{ name: 'orders-db', kind: 'database' }],
          }),
        )
        .thenEvents((events) => {
          const data = registeredData(events);
          expect(data.riskTier).toBe('high');
          expect(data.approvalPath).toBe('full-regression + CAB approval');
          expect(data.riskReasons).toEqual([
            'base tier medium for net-new-feature',
            'touches regulated data: raised to high (rule regulated-data)',
            'changes a database schema: already high (rule database-schema-change)',
          ]);
        });
    });

    it('applies a custom policy given as data', () => {
      const strict: PlanningPolicy = {
        ...DEFAULT_PLANNING_POLICY,
        risk: {
          ...DEFAULT_PLANNING_POLICY.risk,
          baseTier: { ...DEFAULT_PLANNING_POLICY.risk.baseTier, 'net-new-feature': 'high' },
        },
      };
      given([])
        .when(register(), { policy: strict })
        .thenEvents((events) => expect(registeredData(events).riskTier).toBe('high'));
    });

    it('records the shared libraries it ships with, and refuses a version that is not semver', () => {
      const libraries = [{ name: 'auth-client', version: '1.3.1' }];
      given([])
        .when(register({ libraries }))
        .thenEvents((events) => expect(registeredData(events).libraries).toEqual(libraries));
      given([])
        .when(register({ libraries: [{ name: 'auth-client', version: '1.3' }] }))
        .thenThrows(ValidationError, { kind: 'validation', field: 'libraries[0].version' });
    });

    it.each(['jobSize', 'businessValue', 'timeCriticality', 'riskReduction'] as const)(
      'refuses %s off the modified Fibonacci scale, naming the field',
      (field) => {
        given([])
          .when(register({ [field]: 4 }))
          .thenThrows(ValidationError, { kind: 'validation', field });
      },
    );

    it.each([
      ['title', { title: ' ' }],
      ['team', { team: '' }],
      ['components', { components: [] }],
      ['components[0].kind', { components: [{ name: 'x', kind: 'mainframe' as never }] }],
      [
        'components[1].name',
        {
          components: [
            { name: 'x', kind: 'service' as const },
            { name: 'x', kind: 'database' as const },
          ],
        },
      ],
      ['regulatedData[0]', { regulatedData: ['secret' as never] }],
      ['dependsOn[1]', { dependsOn: ['W-2', 'W-2'] }],
      ['severity', { severity: 9 }],
      ['apiContract.version', { apiContract: { api: 'orders', version: '' } }],
    ])('refuses an invalid %s', (field, data) => {
      given([]).when(register(data)).thenThrows(ValidationError, { field });
    });

    // A registration with several bad fields used to name only the first; the client then fixed
    // one field per round trip.
    it('refuses a registration with several invalid fields, naming every one of them', () => {
      given([])
        .when(register({ title: '', jobSize: 4, components: [] }))
        .thenThrows(ValidationError, (error) => {
          expect(error.field).toBe('title');
          expect(error.violations.map((v) => v.field)).toEqual(['title', 'components', 'jobSize']);
          expect(error.message).toMatch(/^3 fields are invalid: title: title is required; /);
        });
    });

    it('names every bad element of every list, not just the first of each', () => {
      given([])
        .when(
          register({
            components: [
              { name: 'api', kind: 'service' },
              { name: '', kind: 'spaceship' as never },
              { name: 'api', kind: 'service' },
            ],
            regulatedData: ['pii', 'gossip' as never, 'rumours' as never],
            dependsOn: ['', 'W-2', 'W-2'],
            consumedApis: [{ api: '', version: '' }],
            libraries: [
              { name: 'auth-client', version: 'one' },
              { name: '', version: '1.0.0' },
            ],
          }),
        )
        .thenThrows(ValidationError, (error) => {
          expect(error.violations.map((v) => v.field)).toEqual([
            'components[1].name',
            'components[1].kind',
            'components[2].name',
            'regulatedData[1]',
            'regulatedData[2]',
            'dependsOn[0]',
            'dependsOn[2]',
            'consumedApis[0].api',
            'consumedApis[0].version',
            'libraries[0].version',
            'libraries[1].name',
          ]);
        });
    });

    it('refuses a command without a valid clock', () => {
      given([])
        .when({
          type: 'RegisterWorkload',
          data: registration(),
          metadata: meta({ now: 'yesterday' }),
        })
        .thenThrows(ValidationError, { field: 'metadata.now' });
    });

    it('refuses a dependency cycle through known workloads, naming it', () => {
      const knownDependencies = new Map([
        ['W-2', ['W-3']],
        ['W-3', ['W-1']],
      ]);
      given([])
        .when(register({ dependsOn: ['W-2'] }), { ...context, knownDependencies })
        .thenThrows(RuleViolation, {
          rule: 'dependency-acyclic',
          message: 'dependency cycle: W-1 → W-2 → W-3 → W-1',
        });
    });

    it('refuses a workload that depends on itself', () => {
      given([])
        .when(register({ dependsOn: ['W-1'] }))
        .thenThrows(RuleViolation, { message: 'dependency cycle: W-1 → W-1' });
    });

    it('refuses components that span two release trains', () => {
      const policy: PlanningPolicy = {
        ...DEFAULT_PLANNING_POLICY,
        routing: {
          ...DEFAULT_PLANNING_POLICY.routing,
          tracks: [
            ...DEFAULT_PLANNING_POLICY.routing.tracks,
            { id: 'mobile', kind: 'train', name: 'Mobile train' },
          ],
          rules: [{ id: 'mobile-apps', match: { componentNamePrefix: 'app-' }, trackId: 'mobile' }],
        },
      };
      given([])
        .when(
          register({
            components: [
              { name: 'app-ios', kind: 'service' },
              { name: 'checkout-service', kind: 'service' },
            ],
          }),
          { policy },
        )
        .thenThrows(RuleViolation, { rule: 'one-train-per-workload' });
    });

    it('cannot plan a workload it does not know', () => {
      given([]).when(plan('R-1')).thenThrows(NotFoundError);
    });
  });

  describe('given a registered workload in the backlog', () => {
    it('refuses to register it again', () => {
      given([registered])
        .when(register())
        .thenThrows(AlreadyExistsError, { kind: 'already_exists', entity: 'workload', id: 'W-1' });
    });

    it('plans it into a release', () => {
      given([registered])
        .when(plan('R-1'))
        .then([
          {
            type: 'WorkloadPlanned',
            data: { ...planned('R-1').data, plannedBy: 'alice' },
          } as WorkloadEvent,
        ]);
    });

    it('defers it, counting the deferral', () => {
      given([registered])
        .when({
          type: 'DeferWorkload',
          data: {
            workloadId: 'W-1',
            releaseId: 'R-1',
            reason: 'deferred: release capacity exhausted',
          },
          metadata: meta(),
        })
        .then([
          { ...deferred(1), data: { ...deferred(1).data, deferredBy: 'alice' } } as WorkloadEvent,
        ]);
    });

    it('counts a second deferral from another release', () => {
      given([registered, deferred(1, 'R-1')])
        .when({
          type: 'DeferWorkload',
          data: { workloadId: 'W-1', releaseId: 'R-2', reason: 'deferred: team cap 30% reached' },
          metadata: meta(),
        })
        .thenEvents((events) =>
          expect(events).toMatchObject([
            { type: 'WorkloadDeferred', data: { deferralCount: 2, releaseId: 'R-2' } },
          ]),
        );
    });

    it('does not count a retried deferral from the same release twice', () => {
      given([registered, deferred(1, 'R-1')])
        .when({
          type: 'DeferWorkload',
          data: { workloadId: 'W-1', releaseId: 'R-1', reason: 'again' },
          metadata: meta(),
        })
        .thenNothingHappened();
    });

    it('refuses to complete an unplanned workload', () => {
      given([registered])
        .when(complete('R-1', 5))
        .thenThrows(RuleViolation, { rule: 'complete-planned-only' });
    });

    it('withdraws it with a reason', () => {
      given([registered])
        .when({
          type: 'WithdrawWorkload',
          data: { workloadId: 'W-1' },
          metadata: meta({ reason: 'obsolete' }),
        })
        .then([
          {
            type: 'WorkloadWithdrawn',
            data: {
              workloadId: 'W-1',
              team: 'payments',
              reason: 'obsolete',
              withdrawnBy: 'alice',
              withdrawnAt: NOW,
            },
          },
        ]);
    });

    it('refuses to withdraw without a reason', () => {
      given([registered])
        .when({ type: 'WithdrawWorkload', data: { workloadId: 'W-1' }, metadata: meta() })
        .thenThrows(ValidationError, { field: 'reason' });
    });

    it('gives allocation its candidate view', () => {
      const current = stateAfter([
        {
          ...registered,
          data: { ...registered.data, dependsOn: ['W-0'], featureFlag: 'new-checkout' },
        },
      ]);
      if (current.status !== 'Backlog') throw new Error('expected Backlog');
      expect(toAllocationCandidate(current.profile)).toEqual({
        workloadId: 'W-1',
        team: 'payments',
        jobSize: 5,
        businessValue: 8,
        timeCriticality: 5,
        riskReduction: 3,
        changeType: 'net-new-feature',
        registeredAt: NOW,
        dependsOn: ['W-0'],
        components: [{ name: 'checkout-service', kind: 'service' }],
        schemaChange: false,
        featureFlag: 'new-checkout',
      });
    });

    it('gives allocation the same candidate from a read-model row, where absent is null or empty', () => {
      const { profile } = stateAfter([registered]) as Extract<
        ReturnType<typeof stateAfter>,
        { status: 'Backlog' }
      >;
      expect(
        toAllocationCandidate({
          ...profile,
          apiContract: null,
          libraries: [],
          consumedApis: [],
          featureFlag: null,
        }),
      ).toEqual(toAllocationCandidate(profile));
    });
  });

  describe('given a planned workload', () => {
    const plannedHistory = [registered, planned('R-1')];

    it('planning it into the same release again changes nothing', () => {
      given(plannedHistory).when(plan('R-1')).thenNothingHappened();
    });

    it('refuses to plan it into another release', () => {
      given(plannedHistory)
        .when(plan('R-2'))
        .thenThrows(RuleViolation, { rule: 'workload-planned-once' });
    });

    it('completes it with the delivered job size', () => {
      given(plannedHistory)
        .when(complete('R-1', 8))
        .then([
          {
            type: 'WorkloadCompleted',
            data: {
              workloadId: 'W-1',
              team: 'payments',
              releaseId: 'R-1',
              completedJobSize: 8,
              completedAt: NOW,
            },
          },
        ]);
    });

    it('refuses to complete it for a release it is not planned in', () => {
      given(plannedHistory)
        .when(complete('R-2', 8))
        .thenThrows(RuleViolation, { rule: 'workload-release-matches' });
    });

    it('refuses a deferral from a release it is not planned in', () => {
      given(plannedHistory)
        .when({
          type: 'DeferWorkload',
          data: { workloadId: 'W-1', releaseId: 'R-2', reason: 'excluded by exception' },
          metadata: meta(),
        })
        .thenThrows(RuleViolation, { rule: 'workload-release-matches' });
    });

    it('defers it back to the backlog when its release drops it', () => {
      given(plannedHistory)
        .when({
          type: 'DeferWorkload',
          data: { workloadId: 'W-1', releaseId: 'R-1', reason: 'excluded by exception' },
          metadata: meta(),
        })
        .thenEvents((events) => {
          expect(events).toMatchObject([{ type: 'WorkloadDeferred', data: { deferralCount: 1 } }]);
          expect(stateAfter([...plannedHistory, ...events]).status).toBe('Backlog');
        });
    });

    it('refuses to withdraw it while planned', () => {
      given(plannedHistory)
        .when({
          type: 'WithdrawWorkload',
          data: { workloadId: 'W-1' },
          metadata: meta({ reason: 'x' }),
        })
        .thenThrows(RuleViolation, { rule: 'withdraw-unplanned-only' });
    });
  });

  describe('given a completed workload', () => {
    const completedHistory = [registered, planned('R-1'), completed];

    it('completing it again for the same release changes nothing', () => {
      given(completedHistory).when(complete('R-1', 5)).thenNothingHappened();
    });

    it('refuses to complete it again for another release', () => {
      given(completedHistory)
        .when(complete('R-2', 5))
        .thenThrows(RuleViolation, { rule: 'workload-completed-once' });
    });

    it('refuses to defer it', () => {
      given(completedHistory)
        .when({
          type: 'DeferWorkload',
          data: { workloadId: 'W-1', reason: 'late' },
          metadata: meta(),
        })
        .thenThrows(RuleViolation, { rule: 'workload-open' });
    });

    it('evolves into Completed with the delivered size', () => {
      expect(stateAfter(completedHistory)).toMatchObject({
        status: 'Completed',
        releaseId: 'R-1',
        completedJobSize: 5,
      });
    });
  });
});
