// The planning part of `npm run demo`, before the portfolio: planning answers, earlier runs'
// leftovers withdrawn, three closed releases of history and two API deprecations.
import { planning } from '@trainyard/grpc-contracts';
import { COMPONENT_OF, HISTORY_TEAMS, TEAMS, TEAM_VELOCITY, svc } from './planning-portfolio';
import { short } from './planning-plan-output';
import type { PlanningDemoSession } from './planning-session';

// --- history: three closed releases on the main train -------------------------------------------

async function closedRelease(
  session: PlanningDemoSession,
  n: number,
  weeksAgo: number,
): Promise<void> {
  const { call, id, register } = session;
  const releaseId = id(`main-h${n}`);
  for (const [t, team] of HISTORY_TEAMS.entries()) {
    for (let i = 1; i <= 4; i++) {
      await register(
        {
          key: `h${n}-${team}-${i}`,
          team,
          title: `${team} iteration ${n} item ${i}`,
          components: [COMPONENT_OF[team] ?? svc(`${team}-service`)],
          job: [5, 8, 3, 5][(n + t + i) % 4] as number,
          bv: 5,
          tc: 3,
          rr: 2,
        },
        `release ${n} backlog`,
      );
    }
  }
  const start = new Date(Date.now() - weeksAgo * 7 * 86_400_000);
  const end = new Date(start.getTime() + 13 * 86_400_000);
  await call('PlanRelease', {
    releaseId,
    trainId: 'main',
    windowStart: start.toISOString(),
    windowEnd: end.toISOString(),
    reason: 'history',
  });
  const committed = await call<planning.CommitReleaseScopeResponse>('CommitReleaseScope', {
    releaseId,
    reason: 'PI planning',
  });
  const included = (committed.plan?.entries ?? []).filter(
    (e) => e.decision === planning.ScopeDecision.SCOPE_DECISION_INCLUDED,
  );
  // Teams deliver most of what they committed; one item per release slips back to the backlog.
  const slipped = [...included]
    .reverse()
    .find((e) => e.workloadId.startsWith(`h${n}-`))?.workloadId;
  // Delivered sizes are actuals, not estimates: each team's delivered items add up to its real
  // velocity that release, so the history does not simply echo the capacity it was planned with.
  const delivered = included.filter((e) => e.workloadId !== slipped);
  const completed = delivered.map((e) => {
    const team = delivered.filter((d) => d.team === e.team);
    const estimated = team.reduce((sum, d) => sum + d.jobSize, 0);
    const velocity = TEAM_VELOCITY[e.team]?.[n - 1] ?? estimated;
    return {
      workloadId: e.workloadId,
      jobSize: Math.max(1, Math.round((velocity * e.jobSize) / estimated)),
    };
  });
  const closed = await call<planning.CloseReleaseResponse>('CloseRelease', {
    releaseId,
    completed,
    reason: 'release retrospective',
  });
  console.log(
    `  ${releaseId}: closed — delivered ${closed.teams.map((t) => `${t.team} ${t.completedJobSize}/${t.plannedJobSize}`).join(', ')}; back to backlog: ${closed.notCompleted.length}`,
  );
}

/**
 * Earlier demo runs leave their deferred workloads in the backlog, where they would compete with
 * this run's portfolio; withdraw them (only the demo's own teams and id pattern) so every run plans the same.
 */
async function withdrawEarlierRuns({ call, run }: PlanningDemoSession): Promise<number> {
  const pattern = /^(h\d-)?[a-z-]+-(\d+|hotfix)-[0-9a-f]{4}$/;
  const stale: string[] = [];
  for (const team of Object.keys(TEAMS)) {
    for (let page = 1; ; page++) {
      const result = await call<planning.ListWorkloadsResponse>('ListWorkloads', {
        state: 'WORKLOAD_STATE_BACKLOG',
        team,
        page,
        pageSize: 200,
      });
      stale.push(
        ...result.items.map((w) => w.workloadId).filter((workloadId) => pattern.test(workloadId)),
      );
      if (page * result.pageSize >= result.total) break;
    }
  }
  for (const workloadId of stale)
    await call('WithdrawWorkload', { workloadId, reason: `superseded by demo run ${run}` });
  return stale.length;
}

/** Planning answers; earlier runs' leftovers withdrawn from the backlog. */
export async function preparePlanning(
  session: PlanningDemoSession,
): Promise<planning.ListTracksResponse> {
  const { call, run } = session;
  const tracks = await call<planning.ListTracksResponse>('ListTracks', {});
  console.log(
    `Planning policy ${tracks.policyVersion}; tracks: ${tracks.tracks.map((t) => `${t.trackId} (${short(t.kind, 'TRACK_KIND')})`).join(', ')}`,
  );
  const withdrawn = await withdrawEarlierRuns(session);
  console.log(
    `Run suffix ${run}${withdrawn > 0 ? `; withdrew ${withdrawn} backlog workloads left by earlier demo runs` : ''}`,
  );
  return tracks;
}

/** Three closed releases of the main train, and two API deprecations. */
export async function history(session: PlanningDemoSession): Promise<void> {
  const { call, deprecated } = session;
  console.log('\nHistory: three closed releases of the main train');
  for (const [n, weeksAgo] of [
    [1, 8],
    [2, 6],
    [3, 4],
  ] as const)
    await closedRelease(session, n, weeksAgo);

  const day = 86_400_000;
  await call('DeprecateApiVersion', {
    api: deprecated.legacyPayments,
    version: 'v1',
    deprecatedAt: new Date(Date.now() - 60 * day).toISOString(),
    sunsetAt: new Date(Date.now() + 3 * day).toISOString(),
    reason: 'replaced by the payments API v2; removal announced at the architecture board',
  });
  await call('DeprecateApiVersion', {
    api: deprecated.accounts,
    version: 'v1',
    deprecatedAt: new Date(Date.now() - 30 * day).toISOString(),
    reason: 'accounts API v2 (identity-1) replaces it',
  });
  console.log(
    `\nAPI deprecations: ${deprecated.legacyPayments} v1 (removed in 3 days), ${deprecated.accounts} v1 (deprecated)`,
  );
}
