import type { ChangeType } from '../policy/planning-policy';
import type { Component } from '../policy/workload-facts';
import { MODIFIED_FIBONACCI } from '../shared/fibonacci';
import type { AllocationCandidate, AllocationInput } from './allocation.types';

/** mulberry32: tiny, fast and good enough to make benchmark and property inputs reproducible. */
export const seededRandom = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export interface PortfolioShape {
  readonly candidates: number;
  readonly teams: number;
  /** Dependency edges; capped at what an acyclic graph over the candidates can hold. */
  readonly edges: number;
}

const CHANGE_MIX: readonly [ChangeType, number][] = [
  ['compliance-audit', 0.03],
  ['technical-debt', 0.15],
  ['defect-fix', 0.1],
  ['configuration-only', 0.07],
  ['net-new-feature', 0.65],
];

/**
 * A deterministic synthetic portfolio for benchmarks and property tests. Edges only point from a
 * later-generated workload to an earlier one, so the graph is acyclic; ids are not zero-padded,
 * so id order differs from generation order. Team capacity is about a third of its backlog.
 */
export const generatePortfolio = (seed: number, shape: PortfolioShape): AllocationInput => {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const n = Math.max(0, Math.floor(shape.candidates));
  const teamCount = Math.max(1, Math.floor(shape.teams));
  const teams = Array.from({ length: teamCount }, (_, k) => `team-${k + 1}`);
  const shared = Array.from(
    { length: Math.max(1, Math.floor(teamCount / 5)) },
    (_, k) => `shared-service-${k + 1}`,
  );
  const apis = Array.from(
    { length: Math.max(1, Math.floor(teamCount / 2)) },
    (_, k) => `api-${k + 1}`,
  );
  const baseMs = Date.UTC(2026, 0, 1);
  const backlog = new Map<string, number>();
  const dependsOn: string[][] = Array.from({ length: n }, () => []);

  const maxEdges = (n * (n - 1)) / 2;
  const wanted = Math.min(Math.max(0, Math.floor(shape.edges)), maxEdges);
  const seen = new Set<number>();
  while (seen.size < wanted) {
    // Mostly local dependencies (like real backlogs), some long-range ones.
    const from = 1 + Math.floor(random() * (n - 1));
    const span = random() < 0.8 ? Math.min(from, 50) : from;
    const to = from - 1 - Math.floor(random() * span);
    const key = from * n + to;
    if (seen.has(key)) continue;
    seen.add(key);
    dependsOn[from]!.push(`W-${to + 1}`);
  }

  const candidates: AllocationCandidate[] = [];
  for (let i = 0; i < n; i++) {
    const team = pick(teams);
    const roll = random();
    let acc = 0;
    let changeType: ChangeType = 'net-new-feature';
    for (const [type, share] of CHANGE_MIX) {
      acc += share;
      if (roll < acc) {
        changeType = type;
        break;
      }
    }
    const schemaChange = random() < 0.1;
    const components: Component[] = [{ name: `${team}-service`, kind: 'service' }];
    if (schemaChange || random() < 0.2) components.push({ name: `${team}-db`, kind: 'database' });
    if (random() < 0.1) components.push({ name: pick(shared), kind: 'service' });
    const jobSize = pick(MODIFIED_FIBONACCI);
    backlog.set(team, (backlog.get(team) ?? 0) + jobSize);
    const apiContract =
      random() < 0.05
        ? { api: pick(apis), version: `v${1 + Math.floor(random() * 2)}` }
        : undefined;
    const featureFlag = random() < 0.1 ? `flag-${i + 1}` : undefined;
    candidates.push({
      workloadId: `W-${i + 1}`,
      team,
      jobSize,
      businessValue: pick(MODIFIED_FIBONACCI),
      timeCriticality: pick(MODIFIED_FIBONACCI),
      riskReduction: pick(MODIFIED_FIBONACCI),
      changeType,
      registeredAt: new Date(baseMs + Math.floor(random() * 180 * 24 * 60) * 60_000).toISOString(),
      dependsOn: dependsOn[i] as string[],
      components,
      schemaChange,
      ...(apiContract ? { apiContract } : {}),
      ...(featureFlag ? { featureFlag } : {}),
    });
  }
  const capacityByTeam = Object.fromEntries(
    teams.map((team) => [team, Math.max(1, Math.round((backlog.get(team) ?? 0) * 0.35))]),
  );
  return {
    release: { releaseId: `R-${seed}`, trainId: 'main' },
    candidates,
    capacityByTeam,
    releasedWorkloadIds: [],
  };
};
