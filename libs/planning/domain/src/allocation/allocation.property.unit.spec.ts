import fc from 'fast-check';
import type { PlanningPolicy } from '../policy/planning-policy';
import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import { allocate } from './allocate';
import type { AllocationCandidate, AllocationInput, Plan } from './allocation.types';
import { generatePortfolio, seededRandom } from './portfolio.generator';

interface Scenario {
  readonly input: AllocationInput;
  readonly shuffleSeed: number;
}

const shuffle = <T>(items: readonly T[], random: () => number): T[] => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
};

/** Portfolios from the seeded generator, varied by fast-check in size, tightness, policy and extras. */
const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    candidates: fc.integer({ min: 0, max: 250 }),
    teams: fc.integer({ min: 1, max: 12 }),
    edgeFactor: fc.double({ min: 0, max: 2, noNaN: true }),
    capacityFactor: fc.double({ min: 0, max: 2.5, noNaN: true }),
    teamCapShare: fc.double({ min: 0.05, max: 1, noNaN: true }),
    techDebtReserveShare: fc.double({ min: 0, max: 0.6, noNaN: true }),
    externalShare: fc.double({ min: 0, max: 0.2, noNaN: true }),
    negotiatedShare: fc.double({ min: 0, max: 0.2, noNaN: true }),
    quarter: fc.option(fc.record({ capacity: fc.nat(500), techDebt: fc.nat(100) }), {
      nil: undefined,
    }),
    shuffleSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  .map((p): Scenario => {
    const base = generatePortfolio(p.seed, {
      candidates: p.candidates,
      teams: p.teams,
      edges: Math.floor(p.candidates * p.edgeFactor),
    });
    const random = seededRandom(p.seed ^ 0x5bd1e995);
    const released: string[] = [];
    const include: string[] = [];
    const exclude: string[] = [];
    const candidates: AllocationCandidate[] = base.candidates.map((c, k) => {
      if (random() < p.negotiatedShare) (random() < 0.5 ? include : exclude).push(c.workloadId);
      if (random() >= p.externalShare) return c;
      const external = `EXT-${k}`;
      if (random() < 0.5) released.push(external);
      return { ...c, dependsOn: [...c.dependsOn, external] };
    });
    const policy: PlanningPolicy = {
      ...DEFAULT_PLANNING_POLICY,
      allocation: { teamCapShare: p.teamCapShare, techDebtReserveShare: p.techDebtReserveShare },
    };
    const capacityByTeam = Object.fromEntries(
      Object.entries(base.capacityByTeam ?? {}).map(([team, capacity]) => [
        team,
        Math.round(capacity * p.capacityFactor),
      ]),
    );
    return {
      input: {
        ...base,
        candidates,
        capacityByTeam,
        policy,
        releasedWorkloadIds: released,
        negotiated: { include, exclude },
        ...(p.quarter ? { quarterToDate: p.quarter } : {}),
      },
      shuffleSeed: p.shuffleSeed,
    };
  });

const included = (plan: Plan): Set<string> =>
  new Set(plan.entries.filter((e) => e.decision === 'included').map((e) => e.workloadId));

describe('allocation properties', () => {
  it('never exceeds total capacity', () => {
    fc.assert(
      fc.property(scenario, ({ input }) => {
        const plan = allocate(input);
        const used = plan.entries
          .filter((e) => e.decision === 'included')
          .reduce((sum, e) => sum + e.jobSize, 0);
        expect(used).toBe(plan.capacityUsed);
        expect(plan.capacityUsed).toBeLessThanOrEqual(plan.capacityTotal);
      }),
    );
  });

  it('never exceeds a team cap or a team’s capacity', () => {
    fc.assert(
      fc.property(scenario, ({ input }) => {
        const plan = allocate(input);
        const share = input.policy?.allocation.teamCapShare ?? 0;
        const used = new Map<string, number>();
        for (const e of plan.entries)
          if (e.decision === 'included') used.set(e.team, (used.get(e.team) ?? 0) + e.jobSize);
        for (const team of plan.teams) {
          expect(team.limit).toBe(Math.min(team.capacity, Math.floor(share * plan.capacityTotal)));
          expect(used.get(team.team) ?? 0).toBe(team.used);
          expect(team.used).toBeLessThanOrEqual(team.limit);
        }
      }),
    );
  });

  it('never includes a workload whose dependency is deferred or not yet planned, and orders dependencies first', () => {
    fc.assert(
      fc.property(scenario, ({ input }) => {
        const plan = allocate(input);
        const inPlan = included(plan);
        const released = new Set(input.releasedWorkloadIds);
        const order = new Map(plan.entries.map((e) => [e.workloadId, e.order]));
        const wave = new Map(plan.deploymentOrder.map((d) => [d.workloadId, d]));
        const violations: string[] = [];
        for (const c of input.candidates) {
          if (!inPlan.has(c.workloadId)) continue;
          for (const dep of c.dependsOn) {
            if (!inPlan.has(dep)) {
              if (!released.has(dep)) violations.push(`${c.workloadId} included without ${dep}`);
              continue;
            }
            if ((order.get(dep) ?? 0) >= (order.get(c.workloadId) ?? 0))
              violations.push(`${dep} decided after its dependent ${c.workloadId}`);
            const mine = wave.get(c.workloadId);
            const theirs = wave.get(dep);
            // One contract group deploys in one wave; otherwise a dependency ships in an earlier wave.
            const together = mine?.contract !== undefined && mine.contract === theirs?.contract;
            const ordered = together
              ? theirs?.wave === mine?.wave
              : (theirs?.wave ?? 0) < (mine?.wave ?? 0);
            if (!ordered) violations.push(`${dep} not deployed before ${c.workloadId}`);
          }
        }
        expect(violations).toEqual([]);
      }),
    );
  });

  it('includes every compliance candidate or raises an alert for it', () => {
    fc.assert(
      fc.property(scenario, ({ input }) => {
        const plan = allocate(input);
        const inPlan = included(plan);
        const alerted = new Set(
          plan.alerts.flatMap((a) =>
            a.type === 'ComplianceGuaranteeMissed' ? [a.workloadId] : [],
          ),
        );
        const unaccounted = input.candidates.filter(
          (c) =>
            c.changeType === 'compliance-audit' &&
            inPlan.has(c.workloadId) === alerted.has(c.workloadId),
        );
        expect(unaccounted).toEqual([]);
      }),
    );
  });

  it('decides and explains every candidate exactly once', () => {
    fc.assert(
      fc.property(scenario, ({ input }) => {
        const plan = allocate(input);
        expect(plan.entries.map((e) => e.order)).toEqual(plan.entries.map((_, k) => k + 1));
        expect(new Set(plan.entries.map((e) => e.workloadId)).size).toBe(input.candidates.length);
        expect(plan.entries.filter((e) => !e.reason.startsWith(`${e.decision}: `))).toEqual([]);
        expect(plan.deploymentOrder.length).toBe(included(plan).size);
      }),
    );
  });

  it('is deterministic, also when candidates, dependencies and teams arrive in another order', () => {
    fc.assert(
      fc.property(scenario, ({ input, shuffleSeed }) => {
        const random = seededRandom(shuffleSeed);
        const shuffled: AllocationInput = {
          ...input,
          candidates: shuffle(input.candidates, random).map((c) => ({
            ...c,
            dependsOn: shuffle(c.dependsOn, random),
          })),
          capacityByTeam: Object.fromEntries(
            shuffle(Object.entries(input.capacityByTeam ?? {}), random),
          ),
          releasedWorkloadIds: shuffle(input.releasedWorkloadIds ?? [], random),
        };
        const plan = allocate(input);
        expect(allocate(input)).toEqual(plan);
        expect(allocate(shuffled)).toEqual(plan);
      }),
      { numRuns: 60 },
    );
  });
});
