import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import type { PlanningPolicy } from '../policy/planning-policy';
import { AlreadyExistsError, NotFoundError, RuleViolation, ValidationError } from '@trainyard/kernel';
import { NOW, meta, registration } from '../test-support/planning.fixtures';
import { toAllocationCandidate } from './workload.candidate';
import type { RegisterWorkloadData, WorkloadCommand } from './workload.commands';
import type { WorkloadDecisionContext } from './workload.decide';
import { decideWorkload } from './workload.decide';
import { workloadDecider } from './workload.decider';
import type { WorkloadEvent, WorkloadRegistered } from './workload.events';
import type { Workload } from './workload.state';

const context: WorkloadDecisionContext = { policy: DEFAULT_PLANNING_POLICY };
const given = (events: readonly WorkloadEvent[]): Workload =>
  events.reduce(workloadDecider.evolve, workloadDecider.initialState());
const when = (state: Workload, command: WorkloadCommand, ctx = context) =>
  decideWorkload(command, state, ctx);
const register = (data: Partial<RegisterWorkloadData> = {}): WorkloadCommand => ({
  type: 'RegisterWorkload',
  data: registration(data),
  metadata: meta(),
});
const registered = (data: Partial<RegisterWorkloadData> = {}): WorkloadEvent[] => [
  ...when(given([]), register(data)),
];
const registeredEvent = (data: Partial<RegisterWorkloadData> = {}): WorkloadRegistered =>
  registered(data)[0] as WorkloadRegistered;
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

describe('workload decider', () => {
  describe('given no workload', () => {
    it('registers it with classification, risk tier, approval path and route', () => {
      const events = registered();
      expect(events).toEqual([
        {
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
        },
      ]);
    });

    it('raises the tier for regulated data and for a schema change, to the CAB path', () => {
      const event = registeredEvent({
        regulatedData: ['pii'],
        schemaChange: true,
        components: [{ name: 'orders-db', kind: 'database' }],
      });
      expect(event.data.riskTier).toBe('high');
      expect(event.data.approvalPath).toBe('full-regression + CAB approval');
      expect(event.data.riskReasons).toEqual([
        'base tier medium for net-new-feature',
        'touches regulated data: raised to high (rule regulated-data)',
        'changes a database schema: already high (rule database-schema-change)',
      ]);
    });

    it('applies a custom policy given as data', () => {
      const strict: PlanningPolicy = {
        ...DEFAULT_PLANNING_POLICY,
        risk: {
          ...DEFAULT_PLANNING_POLICY.risk,
          baseTier: { ...DEFAULT_PLANNING_POLICY.risk.baseTier, 'net-new-feature': 'high' },
        },
      };
      const [event] = when(given([]), register(), { policy: strict }) as WorkloadRegistered[];
      expect(event?.data.riskTier).toBe('high');
    });

    it('records the shared libraries it ships with, and refuses a version that is not semver', () => {
      const libraries = [{ name: 'auth-client', version: '1.3.1' }];
      expect(registeredEvent({ libraries }).data.libraries).toEqual(libraries);
      expect(() =>
        when(given([]), register({ libraries: [{ name: 'auth-client', version: '1.3' }] })),
      ).toThrow(
        expect.objectContaining({ kind: 'validation', field: 'libraries[0].version' }) as Error,
      );
    });

    it.each(['jobSize', 'businessValue', 'timeCriticality', 'riskReduction'] as const)(
      'refuses %s off the modified Fibonacci scale, naming the field',
      (field) => {
        const attempt = () => when(given([]), register({ [field]: 4 }));
        expect(attempt).toThrow(ValidationError);
        expect(attempt).toThrow(expect.objectContaining({ kind: 'validation', field }) as Error);
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
      expect(() => when(given([]), register(data))).toThrow(
        expect.objectContaining({ field }) as Error,
      );
    });

    it('refuses a command without a valid clock', () => {
      expect(() =>
        when(given([]), {
          type: 'RegisterWorkload',
          data: registration(),
          metadata: meta({ now: 'yesterday' }),
        }),
      ).toThrow(expect.objectContaining({ field: 'metadata.now' }) as Error);
    });

    it('refuses a dependency cycle through known workloads, naming it', () => {
      const knownDependencies = new Map([
        ['W-2', ['W-3']],
        ['W-3', ['W-1']],
      ]);
      const attempt = () =>
        when(given([]), register({ dependsOn: ['W-2'] }), { ...context, knownDependencies });
      expect(attempt).toThrow(RuleViolation);
      expect(attempt).toThrow('dependency cycle: W-1 → W-2 → W-3 → W-1');
    });

    it('refuses a workload that depends on itself', () => {
      expect(() => when(given([]), register({ dependsOn: ['W-1'] }))).toThrow(
        'dependency cycle: W-1 → W-1',
      );
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
      const attempt = () =>
        when(
          given([]),
          register({
            components: [
              { name: 'app-ios', kind: 'service' },
              { name: 'checkout-service', kind: 'service' },
            ],
          }),
          { policy },
        );
      expect(attempt).toThrow(expect.objectContaining({ rule: 'one-train-per-workload' }) as Error);
    });

    it('cannot plan a workload it does not know', () => {
      expect(() =>
        when(given([]), {
          type: 'PlanWorkload',
          data: { workloadId: 'W-1', releaseId: 'R-1' },
          metadata: meta(),
        }),
      ).toThrow(NotFoundError);
    });
  });

  describe('given a registered workload in the backlog', () => {
    const state = () => given(registered());

    it('refuses to register it again', () => {
      expect(() => when(state(), register())).toThrow(AlreadyExistsError);
      expect(() => when(state(), register())).toThrow(
        expect.objectContaining({ kind: 'already_exists', entity: 'workload', id: 'W-1' }) as Error,
      );
    });

    it('plans it into a release', () => {
      expect(
        when(state(), {
          type: 'PlanWorkload',
          data: { workloadId: 'W-1', releaseId: 'R-1' },
          metadata: meta(),
        }),
      ).toEqual([planned('R-1')].map((e) => ({ ...e, data: { ...e.data, plannedBy: 'alice' } })));
    });

    it('defers it, counting the deferral', () => {
      const events = when(state(), {
        type: 'DeferWorkload',
        data: {
          workloadId: 'W-1',
          releaseId: 'R-1',
          reason: 'deferred: release capacity exhausted',
        },
        metadata: meta(),
      });
      expect(events).toEqual([
        { ...deferred(1), data: { ...deferred(1).data, deferredBy: 'alice' } },
      ]);
    });

    it('counts a second deferral from another release', () => {
      const events = when(given([...registered(), deferred(1, 'R-1')]), {
        type: 'DeferWorkload',
        data: { workloadId: 'W-1', releaseId: 'R-2', reason: 'deferred: team cap 30% reached' },
        metadata: meta(),
      });
      expect(events).toMatchObject([
        { type: 'WorkloadDeferred', data: { deferralCount: 2, releaseId: 'R-2' } },
      ]);
    });

    it('does not count a retried deferral from the same release twice', () => {
      const events = when(given([...registered(), deferred(1, 'R-1')]), {
        type: 'DeferWorkload',
        data: { workloadId: 'W-1', releaseId: 'R-1', reason: 'again' },
        metadata: meta(),
      });
      expect(events).toEqual([]);
    });

    it('refuses to complete an unplanned workload', () => {
      expect(() =>
        when(state(), {
          type: 'CompleteWorkload',
          data: { workloadId: 'W-1', releaseId: 'R-1', completedJobSize: 5 },
          metadata: meta(),
        }),
      ).toThrow(expect.objectContaining({ rule: 'complete-planned-only' }) as Error);
    });

    it('withdraws it with a reason', () => {
      expect(
        when(state(), {
          type: 'WithdrawWorkload',
          data: { workloadId: 'W-1' },
          metadata: meta({ reason: 'obsolete' }),
        }),
      ).toEqual([
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
      expect(() =>
        when(state(), { type: 'WithdrawWorkload', data: { workloadId: 'W-1' }, metadata: meta() }),
      ).toThrow(expect.objectContaining({ field: 'reason' }) as Error);
    });

    it('gives allocation its candidate view', () => {
      const current = given(registered({ dependsOn: ['W-0'], featureFlag: 'new-checkout' }));
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
  });

  describe('given a planned workload', () => {
    const state = () => given([...registered(), planned('R-1')]);

    it('planning it into the same release again changes nothing', () => {
      expect(
        when(state(), {
          type: 'PlanWorkload',
          data: { workloadId: 'W-1', releaseId: 'R-1' },
          metadata: meta(),
        }),
      ).toEqual([]);
    });

    it('refuses to plan it into another release', () => {
      expect(() =>
        when(state(), {
          type: 'PlanWorkload',
          data: { workloadId: 'W-1', releaseId: 'R-2' },
          metadata: meta(),
        }),
      ).toThrow(expect.objectContaining({ rule: 'workload-planned-once' }) as Error);
    });

    it('completes it with the delivered job size', () => {
      expect(
        when(state(), {
          type: 'CompleteWorkload',
          data: { workloadId: 'W-1', releaseId: 'R-1', completedJobSize: 8 },
          metadata: meta(),
        }),
      ).toEqual([
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

    it('defers it back to the backlog when its release drops it', () => {
      const events = when(state(), {
        type: 'DeferWorkload',
        data: { workloadId: 'W-1', releaseId: 'R-1', reason: 'excluded by exception' },
        metadata: meta(),
      });
      expect(events).toMatchObject([{ type: 'WorkloadDeferred', data: { deferralCount: 1 } }]);
      expect(given([...registered(), planned('R-1'), ...events]).status).toBe('Backlog');
    });

    it('refuses to withdraw it while planned', () => {
      expect(() =>
        when(state(), {
          type: 'WithdrawWorkload',
          data: { workloadId: 'W-1' },
          metadata: meta({ reason: 'x' }),
        }),
      ).toThrow(expect.objectContaining({ rule: 'withdraw-unplanned-only' }) as Error);
    });
  });

  describe('given a completed workload', () => {
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
    const state = () => given([...registered(), planned('R-1'), completed]);

    it('completing it again for the same release changes nothing', () => {
      expect(
        when(state(), {
          type: 'CompleteWorkload',
          data: { workloadId: 'W-1', releaseId: 'R-1', completedJobSize: 5 },
          metadata: meta(),
        }),
      ).toEqual([]);
    });

    it('refuses to defer it', () => {
      expect(() =>
        when(state(), {
          type: 'DeferWorkload',
          data: { workloadId: 'W-1', reason: 'late' },
          metadata: meta(),
        }),
      ).toThrow(expect.objectContaining({ rule: 'workload-open' }) as Error);
    });

    it('evolves into Completed with the delivered size', () => {
      expect(state()).toMatchObject({ status: 'Completed', releaseId: 'R-1', completedJobSize: 5 });
    });
  });
});
