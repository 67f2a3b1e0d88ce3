/** One workload's backlog facts, as the read model keeps them. */
export interface BacklogItem {
  readonly workloadId: string;
  readonly team: string;
  readonly registeredAt: string;
  readonly status: 'backlog' | 'planned' | 'completed' | 'withdrawn';
  readonly deferralCount: number;
  readonly firstDeferredAt?: string;
  readonly lastDeferredAt?: string;
  readonly lastDeferralReason?: string;
}

export interface DeferredWorkload {
  readonly workloadId: string;
  readonly deferralCount: number;
  /** Days since registration. */
  readonly ageDays: number;
  readonly daysSinceFirstDeferral: number;
  readonly lastDeferralReason: string;
}

export interface TeamBacklogHealth {
  readonly team: string;
  readonly openWorkloads: number;
  readonly deferredWorkloads: number;
  readonly totalDeferrals: number;
  readonly maxDeferralCount: number;
  readonly oldestDeferredAgeDays: number;
  /** Most-deferred first, then oldest, then id. */
  readonly deferred: readonly DeferredWorkload[];
}

export interface BacklogHealth {
  readonly asOf: string;
  readonly teams: readonly TeamBacklogHealth[];
  readonly deferredWorkloads: number;
}

const DAY_MS = 86_400_000;
const days = (from: string, to: number): number =>
  Math.max(0, Math.floor((to - Date.parse(from)) / DAY_MS));

/** Deferred workloads with deferral count and age, by team; `now` is passed in. */
export const backlogHealth = (items: Iterable<BacklogItem>, now: string): BacklogHealth => {
  const at = Date.parse(now);
  const teams = new Map<string, { open: number; deferred: DeferredWorkload[] }>();
  for (const item of items) {
    if (item.status !== 'backlog') continue;
    const team = teams.get(item.team) ?? { open: 0, deferred: [] };
    team.open += 1;
    if (item.deferralCount > 0) {
      team.deferred.push({
        workloadId: item.workloadId,
        deferralCount: item.deferralCount,
        ageDays: days(item.registeredAt, at),
        daysSinceFirstDeferral: days(item.firstDeferredAt ?? item.registeredAt, at),
        lastDeferralReason: item.lastDeferralReason ?? '',
      });
    }
    teams.set(item.team, team);
  }
  const report = [...teams.keys()].sort().map((name): TeamBacklogHealth => {
    const t = teams.get(name) ?? { open: 0, deferred: [] };
    const deferred = t.deferred.sort(
      (a, b) =>
        b.deferralCount - a.deferralCount ||
        b.ageDays - a.ageDays ||
        (a.workloadId < b.workloadId ? -1 : a.workloadId > b.workloadId ? 1 : 0),
    );
    return {
      team: name,
      openWorkloads: t.open,
      deferredWorkloads: deferred.length,
      totalDeferrals: deferred.reduce((sum, d) => sum + d.deferralCount, 0),
      maxDeferralCount: deferred.reduce((max, d) => Math.max(max, d.deferralCount), 0),
      oldestDeferredAgeDays: deferred.reduce((max, d) => Math.max(max, d.ageDays), 0),
      deferred,
    };
  });
  return {
    asOf: now,
    teams: report,
    deferredWorkloads: report.reduce((sum, t) => sum + t.deferredWorkloads, 0),
  };
};
