import type {
  BacklogHealth,
  BacklogItem,
  ReleaseHistoryEntry,
  TeamDependencyMatrix,
} from '@trainyard/planning-domain';
import { backlogHealth, teamDependencyMatrix } from '@trainyard/planning-domain';
import type { ReleaseRow } from './release-view.entity';
import type { WorkloadRow } from './workload-view.entity';

/** Backlog health over workload rows: the domain's report, computed at read time with the caller's `now`. */
export const backlogHealthOf = (rows: Iterable<WorkloadRow>, now: string): BacklogHealth => {
  const items: BacklogItem[] = [];
  for (const row of rows) {
    items.push({
      workloadId: row.workloadId,
      team: row.team,
      registeredAt: row.registeredAt,
      status: row.state,
      deferralCount: row.deferralCount,
      ...(row.firstDeferredAt ? { firstDeferredAt: row.firstDeferredAt } : {}),
      ...(row.lastDeferredAt ? { lastDeferredAt: row.lastDeferredAt } : {}),
      ...(row.lastDeferralReason ? { lastDeferralReason: row.lastDeferralReason } : {}),
    });
  }
  return backlogHealth(items, now);
};

/** Team × team dependencies of the workloads still in play (withdrawn ones no longer constrain anyone). */
export const dependencyMatrixOf = (rows: readonly WorkloadRow[]): TeamDependencyMatrix =>
  teamDependencyMatrix(rows.filter((r) => r.state !== 'withdrawn'));

/** Closed releases as the velocity history capacity is estimated from. */
export const releaseHistoryOf = (rows: readonly ReleaseRow[]): readonly ReleaseHistoryEntry[] =>
  rows
    .filter((r) => r.status === 'released' && r.closedAt !== null)
    .map((r) => ({
      releaseId: r.releaseId,
      trainId: r.trainId,
      kind: r.kind,
      closedAt: r.closedAt ?? '',
      teams: r.delivered,
    }));
