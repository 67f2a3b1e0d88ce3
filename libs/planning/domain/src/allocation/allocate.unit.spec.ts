import { createHash } from 'node:crypto';
import type { ReleaseHistoryEntry } from '../capacity/velocity';
import type { PlanningPolicy } from '../policy/planning-policy';
import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import { RuleViolation, ValidationError } from '@trainyard/kernel';
import { candidate } from '../test-support/planning.fixtures';
import { allocate } from './allocate';
import type { AllocationCandidate, AllocationInput, Plan } from './allocation.types';
import { generatePortfolio } from './portfolio.generator';

const release = { releaseId: 'R-1', trainId: 'main' };
const policy = (allocation: Partial<PlanningPolicy['allocation']> = {}): PlanningPolicy => ({
  ...DEFAULT_PLANNING_POLICY,
  allocation: { teamCapShare: 1, techDebtReserveShare: 0, ...allocation },
});
const run = (candidates: AllocationCandidate[], input: Partial<AllocationInput> = {}): Plan =>
  allocate({ release, candidates, capacityByTeam: { payments: 10 }, policy: policy(), ...input });
const entry = (plan: Plan, workloadId: string) =>
  plan.entries.find((e) => e.workloadId === workloadId);
const decisions = (plan: Plan): Record<string, string> =>
  Object.fromEntries(plan.entries.map((e) => [e.workloadId, e.reason]));

describe('allocate', () => {
  describe('WSJF prioritisation', () => {
    it('includes the higher WSJF first and explains both decisions', () => {
      const plan = run(
        [
          candidate({
            workloadId: 'B',
            jobSize: 3,
            businessValue: 3,
            timeCriticality: 2,
            riskReduction: 1,
          }),
          candidate({
            workloadId: 'A',
            jobSize: 3,
            businessValue: 5,
            timeCriticality: 3,
            riskReduction: 2,
          }),
        ],
        { capacityByTeam: { payments: 5 } },
      );
      expect(plan.entries).toEqual([
        {
          workloadId: 'A',
          team: 'payments',
          jobSize: 3,
          changeType: 'net-new-feature',
          decision: 'included',
          reason: 'included: WSJF 3.33 fits team and release capacity',
          wsjf: 10 / 3,
          costOfDelay: 10,
          order: 1,
        },
        {
          workloadId: 'B',
          team: 'payments',
          jobSize: 3,
          changeType: 'net-new-feature',
          decision: 'deferred',
          reason: 'deferred: team capacity reached (payments: 3 of 5 used, needs 3)',
          wsjf: 2,
          costOfDelay: 6,
          order: 2,
        },
      ]);
      expect(plan).toMatchObject({ capacityUsed: 3, capacityTotal: 5 });
    });

    it('lets smaller jobs fill the capacity a large one could not use', () => {
      const plan = run(
        [
          candidate({
            workloadId: 'BIG',
            jobSize: 8,
            businessValue: 20,
            timeCriticality: 20,
            riskReduction: 20,
          }),
          candidate({
            workloadId: 'BIG-2',
            jobSize: 8,
            businessValue: 20,
            timeCriticality: 20,
            riskReduction: 13,
          }),
          candidate({
            workloadId: 'SMALL',
            jobSize: 2,
            businessValue: 1,
            timeCriticality: 1,
            riskReduction: 1,
          }),
        ],
        { capacityByTeam: { payments: 10 } },
      );
      expect(
        plan.entries.filter((e) => e.decision === 'included').map((e) => e.workloadId),
      ).toEqual(['BIG', 'SMALL']);
    });
  });

  describe('team caps', () => {
    it('defers work beyond the team cap share of release capacity', () => {
      const plan = run(
        [
          candidate({ workloadId: 'P-1', jobSize: 5 }),
          candidate({ workloadId: 'P-2', jobSize: 5 }),
          candidate({ workloadId: 'P-3', jobSize: 5 }),
          candidate({ workloadId: 'S-1', team: 'search', jobSize: 5 }),
        ],
        {
          capacityByTeam: { payments: 20, search: 10, identity: 5, ledger: 5 },
          policy: policy({ teamCapShare: 0.3 }),
        },
      );
      expect(plan.capacityTotal).toBe(40);
      expect(entry(plan, 'P-3')?.reason).toBe(
        'deferred: team cap 30% reached (payments: 10 of 12 used, needs 5)',
      );
      expect(plan.teams.find((t) => t.team === 'payments')).toEqual({
        team: 'payments',
        capacity: 20,
        limit: 12,
        used: 10,
      });
    });

    it("defers work beyond the team's own velocity", () => {
      const plan = run(
        [
          candidate({ workloadId: 'P-1', jobSize: 3 }),
          candidate({ workloadId: 'P-2', jobSize: 3 }),
        ],
        {
          capacityByTeam: { payments: 5, search: 20 },
        },
      );
      expect(entry(plan, 'P-2')?.reason).toBe(
        'deferred: team capacity reached (payments: 3 of 5 used, needs 3)',
      );
    });

    it('gives a team missing from capacityByTeam its cold-start capacity', () => {
      const plan = run([candidate({ workloadId: 'N-1', team: 'newcomers', jobSize: 3 })], {
        capacityByTeam: {},
      });
      expect(plan.teams).toEqual([
        {
          team: 'newcomers',
          capacity: DEFAULT_PLANNING_POLICY.capacity.coldStartCapacity,
          limit: 20,
          used: 3,
        },
      ]);
    });
  });

  describe('technical-debt reserve', () => {
    const features = [
      candidate({
        workloadId: 'F-1',
        jobSize: 8,
        businessValue: 20,
        timeCriticality: 20,
        riskReduction: 20,
      }),
      candidate({
        workloadId: 'F-2',
        jobSize: 2,
        businessValue: 5,
        timeCriticality: 1,
        riskReduction: 1,
      }),
    ];
    const techDebt = candidate({
      workloadId: 'TD-1',
      jobSize: 2,
      businessValue: 1,
      timeCriticality: 1,
      riskReduction: 1,
      changeType: 'technical-debt',
    });

    it('fills the reserve with technical debt before features', () => {
      const plan = run([...features, techDebt], { policy: policy({ techDebtReserveShare: 0.2 }) });
      expect(decisions(plan)).toEqual({
        'F-1': 'included: WSJF 7.50 fits team and release capacity',
        'F-2': 'deferred: team capacity reached (payments: 10 of 10 used, needs 2)',
        'TD-1': 'included: technical-debt reserve (WSJF 1.50)',
      });
      expect(plan.techDebt).toEqual({ reserve: 2, used: 2, returnedToFeatures: 0 });
    });

    it('returns unused reserve to features', () => {
      const plan = run(features, { policy: policy({ techDebtReserveShare: 0.2 }) });
      expect(entry(plan, 'F-2')?.reason).toBe(
        'included: unused technical-debt reserve returned to features (WSJF 3.50)',
      );
      expect(plan.techDebt).toEqual({ reserve: 2, used: 0, returnedToFeatures: 2 });
      expect(plan.capacityUsed).toBe(10);
    });

    it('sizes the reserve on the quarter: debt already delivered shrinks it, a shortfall grows it', () => {
      const reserveWith = (techDebt: number) =>
        run(features, {
          policy: policy({ techDebtReserveShare: 0.2 }),
          quarterToDate: { capacity: 90, techDebt },
        }).techDebt.reserve;
      expect(reserveWith(20)).toBe(0); // 20% of 100 already delivered
      expect(reserveWith(15)).toBe(5);
      expect(reserveWith(0)).toBe(10); // capped at the release capacity
    });
  });

  describe('compliance guarantee', () => {
    it('places compliance work ahead of higher WSJF, using the reserve if it must', () => {
      const plan = run(
        [
          candidate({
            workloadId: 'F-1',
            jobSize: 2,
            businessValue: 20,
            timeCriticality: 20,
            riskReduction: 20,
          }),
          candidate({
            workloadId: 'C-1',
            jobSize: 10,
            businessValue: 1,
            timeCriticality: 1,
            riskReduction: 1,
            changeType: 'compliance-audit',
          }),
        ],
        { policy: policy({ techDebtReserveShare: 0.2 }) },
      );
      expect(decisions(plan)).toEqual({
        'C-1': 'included: compliance guarantee',
        'F-1': 'deferred: team capacity reached (payments: 10 of 10 used, needs 2)',
      });
      expect(plan.alerts).toEqual([]);
    });

    it('raises ComplianceGuaranteeMissed instead of silently deferring', () => {
      const plan = run(
        [candidate({ workloadId: 'C-1', jobSize: 13, changeType: 'compliance-audit' })],
        { capacityByTeam: { payments: 8 } },
      );
      expect(entry(plan, 'C-1')?.decision).toBe('deferred');
      expect(plan.alerts).toEqual([
        {
          type: 'ComplianceGuaranteeMissed',
          workloadId: 'C-1',
          team: 'payments',
          reason:
            'compliance workload not placed in release R-1: deferred: team capacity reached (payments: 0 of 8 used, needs 13)',
        },
      ]);
    });

    it('pulls a compliance workload’s prerequisite in with it', () => {
      const plan = run([
        candidate({
          workloadId: 'F-1',
          jobSize: 5,
          businessValue: 20,
          timeCriticality: 20,
          riskReduction: 20,
        }),
        candidate({
          workloadId: 'PRE',
          jobSize: 5,
          businessValue: 1,
          timeCriticality: 1,
          riskReduction: 1,
        }),
        candidate({
          workloadId: 'C-1',
          jobSize: 5,
          changeType: 'compliance-audit',
          dependsOn: ['PRE'],
        }),
      ]);
      expect(decisions(plan)).toEqual({
        PRE: 'included: prerequisite of compliance workload C-1',
        'C-1': 'included: compliance guarantee',
        'F-1': 'deferred: team capacity reached (payments: 10 of 10 used, needs 5)',
      });
    });
  });

  describe('dependencies', () => {
    it('never includes a workload whose dependency is deferred', () => {
      const plan = run([
        candidate({ workloadId: 'W-12', jobSize: 13 }),
        candidate({ workloadId: 'W-13', jobSize: 1, dependsOn: ['W-12'] }),
      ]);
      expect(decisions(plan)).toEqual({
        'W-12': 'deferred: team capacity reached (payments: 0 of 10 used, needs 13)',
        'W-13': 'deferred: depends on W-12 which is deferred',
      });
    });

    it('defers a workload whose dependency is neither a candidate nor released', () => {
      const plan = run([candidate({ workloadId: 'W-2', dependsOn: ['W-1'] })]);
      expect(entry(plan, 'W-2')?.reason).toBe('deferred: depends on W-1 which is not yet planned');
    });

    it('names the first dependency by id that is neither a candidate nor released', () => {
      const plan = run(
        [
          candidate({ workloadId: 'W-1', jobSize: 1 }),
          candidate({
            workloadId: 'W-5',
            jobSize: 1,
            dependsOn: ['Z-9', 'W-1', 'A-2', 'W-1', 'A-1'],
          }),
        ],
        { releasedWorkloadIds: ['A-1'] },
      );
      expect(entry(plan, 'W-5')?.reason).toBe('deferred: depends on A-2 which is not yet planned');
    });

    it('accepts a dependency that is already released', () => {
      const plan = run([candidate({ workloadId: 'W-2', dependsOn: ['W-1'] })], {
        releasedWorkloadIds: ['W-1'],
      });
      expect(entry(plan, 'W-2')?.decision).toBe('included');
    });

    it('lets a prerequisite inherit the priority of the work that needs it', () => {
      const plan = run(
        [
          candidate({
            workloadId: 'ENABLER',
            jobSize: 5,
            businessValue: 1,
            timeCriticality: 1,
            riskReduction: 1,
          }),
          candidate({
            workloadId: 'VALUE',
            jobSize: 3,
            businessValue: 20,
            timeCriticality: 5,
            riskReduction: 5,
            dependsOn: ['ENABLER'],
          }),
          candidate({
            workloadId: 'OTHER',
            jobSize: 5,
            businessValue: 8,
            timeCriticality: 8,
            riskReduction: 4,
          }),
        ],
        { capacityByTeam: { payments: 8 } },
      );
      expect(decisions(plan)).toEqual({
        ENABLER: 'included: prerequisite of VALUE (WSJF 10.00)',
        VALUE: 'included: WSJF 10.00 fits team and release capacity',
        OTHER: 'deferred: team capacity reached (payments: 8 of 8 used, needs 5)',
      });
      expect(plan.entries.map((e) => e.workloadId)).toEqual(['ENABLER', 'VALUE', 'OTHER']);
    });

    it('refuses a dependency cycle, naming it', () => {
      const attempt = () =>
        run([
          candidate({ workloadId: 'A', dependsOn: ['B'] }),
          candidate({ workloadId: 'B', dependsOn: ['C'] }),
          candidate({ workloadId: 'C', dependsOn: ['A'] }),
          candidate({ workloadId: 'D' }),
        ]);
      expect(attempt).toThrow(RuleViolation);
      expect(attempt).toThrow('dependency cycle: A → B → C → A');
    });
  });

  describe('scope negotiation', () => {
    it('puts negotiated-in work ahead of WSJF and keeps negotiated-out work out', () => {
      const plan = run(
        [
          candidate({
            workloadId: 'HIGH',
            jobSize: 5,
            businessValue: 20,
            timeCriticality: 20,
            riskReduction: 20,
          }),
          candidate({
            workloadId: 'PROMISED',
            jobSize: 8,
            businessValue: 1,
            timeCriticality: 1,
            riskReduction: 1,
          }),
          candidate({
            workloadId: 'DROPPED',
            jobSize: 1,
            businessValue: 20,
            timeCriticality: 20,
            riskReduction: 20,
          }),
        ],
        { negotiated: { include: ['PROMISED'], exclude: ['DROPPED'] } },
      );
      expect(decisions(plan)).toEqual({
        PROMISED: 'included: negotiated into scope (WSJF 0.38)',
        DROPPED: 'deferred: excluded in scope negotiation',
        HIGH: 'deferred: team capacity reached (payments: 8 of 10 used, needs 5)',
      });
    });

    it('alerts when compliance work is negotiated out', () => {
      const plan = run([candidate({ workloadId: 'C-1', changeType: 'compliance-audit' })], {
        negotiated: { exclude: ['C-1'] },
      });
      expect(plan.alerts).toMatchObject([{ type: 'ComplianceGuaranteeMissed', workloadId: 'C-1' }]);
    });
  });

  describe('deployment order, contracts and coupling', () => {
    it('ships a database schema change before the services that use that database', () => {
      const plan = run([
        candidate({
          workloadId: 'SVC',
          components: [
            { name: 'orders-service', kind: 'service' },
            { name: 'orders-db', kind: 'database' },
          ],
        }),
        candidate({
          workloadId: 'MIG',
          schemaChange: true,
          components: [{ name: 'orders-db', kind: 'database' }],
        }),
        candidate({ workloadId: 'UI', dependsOn: ['SVC'] }),
      ]);
      expect(plan.deploymentOrder).toEqual([
        { workloadId: 'MIG', wave: 1 },
        { workloadId: 'SVC', wave: 2 },
        { workloadId: 'UI', wave: 3 },
      ]);
    });

    it('keeps declared dependencies when schema-first would contradict them, and says so', () => {
      const plan = run([
        candidate({ workloadId: 'SVC', components: [{ name: 'orders-db', kind: 'database' }] }),
        candidate({
          workloadId: 'MIG',
          schemaChange: true,
          components: [{ name: 'orders-db', kind: 'database' }],
          dependsOn: ['SVC'],
        }),
      ]);
      expect(plan.deploymentOrder.map((d) => d.workloadId)).toEqual(['SVC', 'MIG']);
      expect(plan.alerts).toMatchObject([{ type: 'DeploymentOrderConflict' }]);
    });

    it('groups changes to one API contract version into one deployment wave', () => {
      const plan = run(
        [
          candidate({
            workloadId: 'PROVIDER',
            team: 'orders',
            apiContract: { api: 'orders', version: 'v2' },
            dependsOn: ['BASE'],
          }),
          candidate({ workloadId: 'BASE', team: 'orders' }),
          candidate({
            workloadId: 'CONSUMER',
            team: 'checkout',
            apiContract: { api: 'orders', version: 'v2' },
          }),
          candidate({
            workloadId: 'FLAGGED',
            team: 'search',
            apiContract: { api: 'orders', version: 'v2' },
            featureFlag: 'orders-v2',
          }),
        ],
        { capacityByTeam: { orders: 10, checkout: 10, search: 10 } },
      );
      expect(plan.contractGroups).toEqual([
        {
          contract: 'orders@v2',
          workloadIds: ['CONSUMER', 'PROVIDER'],
          decoupledByFlag: ['FLAGGED'],
        },
      ]);
      const wave = Object.fromEntries(plan.deploymentOrder.map((d) => [d.workloadId, d]));
      expect(wave['CONSUMER']).toEqual({ workloadId: 'CONSUMER', wave: 2, contract: 'orders@v2' });
      expect(wave['PROVIDER']).toEqual({ workloadId: 'PROVIDER', wave: 2, contract: 'orders@v2' });
      expect(wave['FLAGGED']?.wave).toBe(1);
    });

    it('alerts when a contract group is split by deferral', () => {
      const plan = run([
        candidate({
          workloadId: 'PROVIDER',
          jobSize: 5,
          apiContract: { api: 'orders', version: 'v2' },
        }),
        candidate({
          workloadId: 'CONSUMER',
          jobSize: 8,
          businessValue: 1,
          timeCriticality: 1,
          riskReduction: 1,
          apiContract: { api: 'orders', version: 'v2' },
        }),
      ]);
      expect(plan.alerts).toEqual([
        {
          type: 'ContractGroupSplit',
          contract: 'orders@v2',
          included: ['PROVIDER'],
          deferred: ['CONSUMER'],
          reason: 'orders@v2 changes need synchronized deployment but CONSUMER is deferred',
        },
      ]);
    });

    it('deploys a contract group individually when grouping would break a dependency chain', () => {
      const plan = run([
        candidate({ workloadId: 'A', apiContract: { api: 'x', version: 'v1' } }),
        candidate({ workloadId: 'B', dependsOn: ['A'] }),
        candidate({ workloadId: 'C', apiContract: { api: 'x', version: 'v1' }, dependsOn: ['B'] }),
      ]);
      expect(plan.deploymentOrder).toEqual([
        { workloadId: 'A', wave: 1 },
        { workloadId: 'B', wave: 2 },
        { workloadId: 'C', wave: 3 },
      ]);
      expect(plan.alerts).toMatchObject([{ type: 'DeploymentOrderConflict' }]);
    });

    it('flags different teams changing one component for integrated testing', () => {
      const cache = { name: 'shared-cache', kind: 'infrastructure' as const };
      const plan = run(
        [
          candidate({ workloadId: 'P-1', team: 'payments', components: [cache] }),
          candidate({
            workloadId: 'S-1',
            team: 'search',
            components: [cache, { name: 'search-service', kind: 'service' }],
          }),
          candidate({
            workloadId: 'S-2',
            team: 'search',
            components: [{ name: 'search-service', kind: 'service' }],
          }),
        ],
        { capacityByTeam: { payments: 10, search: 10 } },
      );
      expect(plan.couplingFlags).toEqual([
        {
          component: 'shared-cache',
          teams: ['payments', 'search'],
          workloadIds: ['P-1', 'S-1'],
          reason:
            'teams payments, search change shared-cache in this release: integrated testing required',
        },
      ]);
    });
  });

  describe('capacity input', () => {
    it('derives team capacity from history when no capacity is given', () => {
      const history: ReleaseHistoryEntry[] = [10, 20, 30].map((done, k) => ({
        releaseId: `R-0${k}`,
        trainId: 'main',
        kind: 'train',
        closedAt: `2026-0${k + 1}-01T00:00:00Z`,
        teams: [
          { team: 'payments', completedJobSize: done, unplannedJobSize: 0, plannedJobSize: 30 },
        ],
      }));
      const plan = allocate({
        release,
        candidates: [candidate({ workloadId: 'W-1' })],
        history,
        policy: policy(),
      });
      expect(plan.teams).toEqual([{ team: 'payments', capacity: 16, limit: 16, used: 3 }]);
    });

    it('refuses duplicate candidates and malformed sizes', () => {
      expect(() =>
        run([candidate({ workloadId: 'W-1' }), candidate({ workloadId: 'W-1' })]),
      ).toThrow(ValidationError);
      expect(() => run([candidate({ workloadId: 'W-1', jobSize: 0 })])).toThrow(
        expect.objectContaining({ field: 'candidates[W-1].jobSize' }) as Error,
      );
    });

    it('plans an empty backlog without error', () => {
      expect(run([])).toMatchObject({
        entries: [],
        capacityUsed: 0,
        capacityTotal: 10,
        alerts: [],
        deploymentOrder: [],
      });
    });
  });

  describe('at scale', () => {
    // The scaling work of issue #4 must not change any plan in any detail: the digest is of this
    // plan as allocation produced it before that work (dependencies, externals, negotiation).
    it('plans a generated portfolio exactly as before the scaling work', () => {
      const base = generatePortfolio(7, { candidates: 3000, teams: 15, edges: 900 });
      const candidates = base.candidates.map((c, k) =>
        k % 97 === 0 ? { ...c, dependsOn: [...c.dependsOn, `EXT-${k}`, ...c.dependsOn] } : c,
      );
      const plan = allocate({
        ...base,
        candidates,
        releasedWorkloadIds: ['EXT-0', 'EXT-194'],
        negotiated: { include: ['W-10', 'W-2000'], exclude: ['W-11', 'W-2999'] },
      });
      const fields = [
        'releaseId',
        'trainId',
        'policyVersion',
        'entries',
        'capacityUsed',
        'capacityTotal',
        'teams',
        'techDebt',
        'alerts',
        'couplingFlags',
        'contractGroups',
        'deploymentOrder',
      ] as const;
      const digest = createHash('sha256')
        .update(JSON.stringify(Object.fromEntries(fields.map((f) => [f, plan[f]]))))
        .digest('hex');
      expect(digest).toBe('52a5223365e627e3e7fda0a96c0c870cf621438648030b843e5564d0357aa141');
    });
  });
});
