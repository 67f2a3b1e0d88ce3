import fc from 'fast-check';
import { DEFAULT_PLANNING_POLICY, type ChangeType } from '../policy/planning-policy';
import { rankByWsjf } from '../prioritization/wsjf';
import { allocate } from './allocate';
import type { AllocationCandidate, AllocationInput } from './allocation.types';
import {
  complianceGuaranteeMissed,
  priorityTier,
  TIER_COMPLIANCE,
  TIER_NEGOTIATED,
  TIER_NORMAL,
} from './compliance-first';
import { generatePortfolio } from './portfolio.generator';
import { teamCapLimit } from './team-cap';
import { techDebtReserve } from './tech-debt-reserve';

// The allocator is tuned with typed arrays; these properties pin it to the rules as they are
// written in their own files (wsjf.ts, team-cap.ts, tech-debt-reserve.ts, compliance-first.ts).

const FIBONACCI = [1, 2, 3, 5, 8, 13, 20] as const;
const CHANGE_TYPES: readonly ChangeType[] = [
  'compliance-audit',
  'technical-debt',
  'defect-fix',
  'configuration-only',
  'net-new-feature',
];

/** Independent candidates with few distinct values, so every WSJF tie-break is exercised. */
const independentCandidates: fc.Arbitrary<AllocationCandidate[]> = fc
  .array(
    fc.record({
      team: fc.constantFrom('payments', 'search', 'identity'),
      jobSize: fc.constantFrom(...FIBONACCI),
      businessValue: fc.constantFrom(...FIBONACCI),
      timeCriticality: fc.constantFrom(...FIBONACCI),
      riskReduction: fc.constantFrom(...FIBONACCI),
      changeType: fc.constantFrom(...CHANGE_TYPES),
      registeredMinute: fc.integer({ min: 0, max: 3 }),
    }),
    { maxLength: 60 },
  )
  .map((rows) =>
    rows.map((r, k): AllocationCandidate => ({
      workloadId: `W-${(k * 7919) % 1000}-${k}`,
      team: r.team,
      jobSize: r.jobSize,
      businessValue: r.businessValue,
      timeCriticality: r.timeCriticality,
      riskReduction: r.riskReduction,
      changeType: r.changeType,
      registeredAt: new Date(Date.UTC(2026, 0, 1) + r.registeredMinute * 60_000).toISOString(),
      dependsOn: [],
      components: [{ name: `${r.team}-service`, kind: 'service' }],
      schemaChange: false,
    })),
  );

describe('allocation follows the named rules', () => {
  it('orders independent candidates by tier, and within a tier exactly as rankByWsjf', () => {
    fc.assert(
      fc.property(
        independentCandidates,
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.array(fc.boolean(), { maxLength: 60 }),
        (candidates, capacityFactor, negotiate) => {
          const include = candidates
            .filter((_, k) => negotiate[k] === true)
            .map((c) => c.workloadId);
          const total = candidates.reduce((sum, c) => sum + c.jobSize, 0);
          const plan = allocate({
            release: { releaseId: 'R-1', trainId: 'main' },
            candidates,
            capacityByTeam: Object.fromEntries(
              ['payments', 'search', 'identity'].map((t) => [
                t,
                Math.round((total / 3) * capacityFactor),
              ]),
            ),
            policy: DEFAULT_PLANNING_POLICY,
            negotiated: { include, exclude: [] },
          });
          const tierOf = new Map(
            candidates.map((c) => [
              c.workloadId,
              priorityTier(c.changeType === 'compliance-audit', include.includes(c.workloadId)),
            ]),
          );
          const order = plan.entries.map((e) => e.workloadId);
          const tiers = order.map((id) => tierOf.get(id) as number);
          expect(tiers).toEqual([...tiers].sort((a, b) => a - b));
          for (const tier of [TIER_COMPLIANCE, TIER_NEGOTIATED, TIER_NORMAL]) {
            const inTier = candidates.filter((c) => tierOf.get(c.workloadId) === tier);
            expect(order.filter((id) => tierOf.get(id) === tier)).toEqual(
              rankByWsjf(inTier).map((r) => r.workloadId),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('limits every team by teamCapLimit, holds techDebtReserve, and alerts each missed compliance guarantee', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          candidates: fc.integer({ min: 0, max: 150 }),
          teams: fc.integer({ min: 1, max: 8 }),
          edges: fc.integer({ min: 0, max: 200 }),
          capacityFactor: fc.double({ min: 0, max: 2, noNaN: true }),
          teamCapShare: fc.double({ min: 0.05, max: 1, noNaN: true }),
          techDebtReserveShare: fc.double({ min: 0, max: 0.6, noNaN: true }),
          quarter: fc.option(fc.record({ capacity: fc.nat(500), techDebt: fc.nat(100) }), {
            nil: undefined,
          }),
        }),
        (p) => {
          const base = generatePortfolio(p.seed, p);
          const input: AllocationInput = {
            ...base,
            capacityByTeam: Object.fromEntries(
              Object.entries(base.capacityByTeam ?? {}).map(([t, c]) => [
                t,
                Math.round(c * p.capacityFactor),
              ]),
            ),
            policy: {
              ...DEFAULT_PLANNING_POLICY,
              allocation: {
                teamCapShare: p.teamCapShare,
                techDebtReserveShare: p.techDebtReserveShare,
              },
            },
            ...(p.quarter ? { quarterToDate: p.quarter } : {}),
          };
          const plan = allocate(input);
          for (const team of plan.teams) {
            expect(team.limit).toBe(
              teamCapLimit(team.capacity, p.teamCapShare, plan.capacityTotal),
            );
            expect(team.used).toBeLessThanOrEqual(team.limit);
          }
          expect(plan.techDebt.reserve).toBe(
            techDebtReserve(p.techDebtReserveShare, plan.capacityTotal, p.quarter),
          );
          const missed = plan.entries
            .filter((e) => e.changeType === 'compliance-audit' && e.decision === 'deferred')
            .map((e) => complianceGuaranteeMissed(e, plan.releaseId, e.reason));
          expect(plan.alerts.filter((a) => a.type === 'ComplianceGuaranteeMissed')).toEqual(
            expect.arrayContaining(missed),
          );
          expect(plan.alerts.filter((a) => a.type === 'ComplianceGuaranteeMissed')).toHaveLength(
            missed.length,
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
