import { ownValue } from '@trainyard/kernel';
import type { PlanningPolicy } from '../policy/planning-policy';
import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';

export interface TeamDelivery {
  readonly team: string;
  /** Planned work completed in the release — what velocity is measured on. */
  readonly completedJobSize: number;
  /** Emergency patches and post-commit exceptions; reported, not counted as velocity. */
  readonly unplannedJobSize: number;
  readonly plannedJobSize: number;
}

export interface ReleaseHistoryEntry {
  readonly releaseId: string;
  readonly trainId: string;
  readonly kind: 'train' | 'emergency';
  readonly closedAt: string;
  readonly teams: readonly TeamDelivery[];
}

/** Linear interpolation between closest ranks (Excel PERCENTILE.INC, R type 7). */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const lo = sorted[lower] as number;
  const hi = sorted[upper] as number;
  return lo + (hi - lo) * (position - lower);
};

export interface TeamCapacity {
  readonly team: string;
  readonly capacity: number;
  readonly basis: 'history' | 'cold-start';
  /** Completed planned job size per release in the window, newest first. */
  readonly samples: readonly number[];
  readonly explanation: string;
}

export interface CapacityEstimate {
  readonly teams: readonly TeamCapacity[];
  readonly total: number;
  /** The closed releases the estimate looked at, newest first. */
  readonly releasesConsidered: readonly string[];
}

export const coldStartCapacity = (team: string, policy: PlanningPolicy): number =>
  ownValue(policy.capacity.coldStartCapacityByTeam, team) ?? policy.capacity.coldStartCapacity;

/**
 * Capacity per team from what it actually delivered, not from estimates: the configured
 * percentile (default p30, conservative) of its completed planned job size over the last N
 * (default 3) closed releases of the train, rounded down. A team that had no scope in any of
 * those releases gets the configured cold-start capacity (per team, else the default) — an
 * explicit, auditable number rather than one borrowed from other teams' history.
 */
export const capacityFromHistory = (input: {
  readonly history: readonly ReleaseHistoryEntry[];
  readonly teams: readonly string[];
  readonly trainId?: string;
  readonly policy?: PlanningPolicy;
}): CapacityEstimate => {
  const policy = input.policy ?? DEFAULT_PLANNING_POLICY;
  const { percentile: p, historyWindow } = policy.capacity;
  const window = input.history
    .filter(
      (r) => r.kind === 'train' && (input.trainId === undefined || r.trainId === input.trainId),
    )
    .map((r) => ({ r, at: Date.parse(r.closedAt) }))
    .sort(
      (a, b) =>
        b.at - a.at || (a.r.releaseId < b.r.releaseId ? 1 : a.r.releaseId > b.r.releaseId ? -1 : 0),
    )
    .slice(0, historyWindow)
    .map(({ r }) => r);
  const samples = new Map<string, number[]>();
  for (const release of window) {
    for (const delivery of release.teams) {
      const list = samples.get(delivery.team) ?? [];
      list.push(delivery.completedJobSize);
      samples.set(delivery.team, list);
    }
  }
  const teams = [...new Set(input.teams)].sort().map((team): TeamCapacity => {
    const observed = samples.get(team);
    if (!observed || observed.length === 0) {
      const capacity = coldStartCapacity(team, policy);
      return {
        team,
        capacity,
        basis: 'cold-start',
        samples: [],
        explanation: `no history in the last ${historyWindow} releases: cold-start capacity ${capacity}`,
      };
    }
    const capacity = Math.floor(percentile(observed, p));
    return {
      team,
      capacity,
      basis: 'history',
      samples: observed,
      explanation: `p${p} of completed job size ${observed.join(', ')} over ${observed.length} release(s) = ${capacity}`,
    };
  });
  return {
    teams,
    total: teams.reduce((sum, t) => sum + t.capacity, 0),
    releasesConsidered: window.map((r) => r.releaseId),
  };
};

export const capacityByTeam = (estimate: CapacityEstimate): Readonly<Record<string, number>> =>
  Object.fromEntries(estimate.teams.map((t) => [t.team, t.capacity]));
