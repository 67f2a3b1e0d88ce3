// The planning part of `npm run demo` from the portfolio on: sixty workloads and the emergency
// patch registered, the next increment's releases planned and committed, the read models shown.
import { planning } from '@trainyard/grpc-contracts';
import { TEAMS, portfolio } from './planning-portfolio';
import { printPlan } from './planning-plan-output';
import type { PlanningDemoSession } from './planning-session';

const { ChangeType: C } = planning;

export interface Portfolio {
  readonly registered: ReadonlyMap<string, planning.Workload>;
  readonly main: string;
  readonly data: string;
  readonly infraRelease: string;
}

/** Sixty workloads, the emergency patch, and the next increment's three releases planned. */
export async function registerPortfolio(session: PlanningDemoSession): Promise<Portfolio> {
  const { call, id, deprecated, register } = session;
  const specs = portfolio(deprecated);
  console.log(
    `\nPortfolio: registering ${specs.length} workloads for ${Object.keys(TEAMS).length} teams`,
  );
  const registered = new Map<string, planning.Workload>();
  for (const spec of specs) registered.set(spec.key, await register(spec, 'portfolio intake'));
  const byTrack = new Map<string, number>();
  for (const w of registered.values()) byTrack.set(w.trackId, (byTrack.get(w.trackId) ?? 0) + 1);
  console.log(`  routed: ${[...byTrack].map(([t, n]) => `${t} ${n}`).join(', ')}`);
  const compliance = [...registered.values()]
    .filter((w) => w.changeType === C.CHANGE_TYPE_COMPLIANCE_AUDIT)
    .map((w) => w.workloadId);
  console.log(`  compliance items: ${compliance.join(', ')}`);

  const hotfix = id('hotfix-inc-2301');
  await call('RequestEmergencyPatch', {
    releaseId: hotfix,
    trackId: 'hotfix',
    workloadId: id('payments-hotfix'),
    approver: 'cab-chair',
    reason: 'INC-2301: customers charged twice',
  });
  console.log(
    `\nEmergency patch ${hotfix} scheduled on the hotfix track for ${id('payments-hotfix')} (approved by cab-chair)`,
  );

  const start = new Date(Date.now() + 7 * 86_400_000);
  const window = {
    windowStart: start.toISOString(),
    windowEnd: new Date(start.getTime() + 13 * 86_400_000).toISOString(),
  };
  const releases = { main: id('main-2'), data: id('data-1'), infraRelease: id('infra-1') };
  await call('PlanRelease', {
    releaseId: releases.main,
    trainId: 'main',
    ...window,
    reason: 'next increment',
  });
  await call('PlanRelease', {
    releaseId: releases.data,
    trainId: 'data',
    ...window,
    reason: 'next increment',
  });
  await call('PlanRelease', {
    releaseId: releases.infraRelease,
    trainId: 'infrastructure',
    ...window,
    reason: 'maintenance window',
  });
  await call('NegotiateReleaseScope', {
    releaseId: releases.main,
    workloadId: id('search-3'),
    change: 'SCOPE_CHANGE_INCLUDE',
    reason: 'promised to the merchant council',
  });
  await call('NegotiateReleaseScope', {
    releaseId: releases.main,
    workloadId: id('mobile-app-6'),
    change: 'SCOPE_CHANGE_EXCLUDE',
    reason: 'design not signed off',
  });
  return { registered, ...releases };
}

/** Commits the three releases' scopes, prints the main plan, includes one deferral by exception. */
export async function commitReleases(
  { call }: PlanningDemoSession,
  { main, data, infraRelease }: Portfolio,
): Promise<planning.Plan> {
  const preview = await call<planning.AllocateReleaseResponse>('AllocateRelease', {
    releaseId: main,
  });
  const committed = await call<planning.CommitReleaseScopeResponse>('CommitReleaseScope', {
    releaseId: main,
    reason: 'PI planning outcome',
  });
  if (!committed.plan) throw new Error(`CommitReleaseScope ${main}: no plan in the response`);
  printPlan(committed.plan, preview.capacity);
  for (const w of committed.warnings) console.log(`warning: ${w}`);

  for (const releaseId of [data, infraRelease]) {
    const other = await call<planning.CommitReleaseScopeResponse>('CommitReleaseScope', {
      releaseId,
      reason: 'PI planning outcome',
    });
    const entries = other.plan?.entries ?? [];
    console.log(
      `\n${releaseId}: ${other.status.replace('RELEASE_STATUS_', '').toLowerCase()}, ${entries.filter((e) => e.decision === planning.ScopeDecision.SCOPE_DECISION_INCLUDED).length} included, ${entries.filter((e) => e.decision === planning.ScopeDecision.SCOPE_DECISION_DEFERRED).length} deferred, capacity ${other.plan?.capacityUsed}/${other.plan?.capacityTotal}`,
    );
  }

  const deferred = committed.plan.entries.find(
    (e) =>
      e.decision === planning.ScopeDecision.SCOPE_DECISION_DEFERRED &&
      !e.reason.includes('depends on'),
  );
  if (deferred) {
    const exception = await call<planning.RequestScopeExceptionResponse>('RequestScopeException', {
      releaseId: main,
      workloadId: deferred.workloadId,
      change: 'SCOPE_CHANGE_INCLUDE',
      reason: 'regulator deadline moved forward',
      approver: 'head-of-delivery',
    });
    console.log(
      `\nScope exception: ${deferred.workloadId} included after commit (approved by head-of-delivery); capacity now ${exception.capacityUsed} of ${exception.capacityTotal}`,
    );
  }
  return committed.plan;
}

/** Planning's read models of the committed release; returns the workloads in its scope. */
export async function printReadModels(
  { call, run }: PlanningDemoSession,
  main: string,
): Promise<ReadonlySet<string>> {
  const release = await call<planning.GetReleaseResponse>('GetRelease', { releaseId: main });
  console.log(
    `\nRead model: ${main} has ${release.release?.scope.filter((s) => s.decision === planning.ScopeDecision.SCOPE_DECISION_INCLUDED).length} workloads in scope, capacity used ${release.release?.capacityUsed} of ${release.release?.capacityTotal}`,
  );
  const health = await call<planning.GetBacklogHealthResponse>('GetBacklogHealth', {});
  console.log(
    `Backlog health: ${health.deferredWorkloads} deferred workloads; ${health.teams.map((t) => `${t.team} ${t.deferredWorkloads}/${t.openWorkloads} (max ${t.maxDeferralCount}×)`).join(', ')}`,
  );
  const deprecations = await call<planning.ListApiDeprecationsResponse>('ListApiDeprecations', {});
  const ours = deprecations.flags.filter((f) => f.api.endsWith(run));
  console.log(
    `API deprecations: ${ours.length} open workloads on deprecated versions${ours.length ? `: ${ours.map((f) => f.message).join('; ')}` : ''}`,
  );
  const matrix = await call<planning.GetDependencyMatrixResponse>('GetDependencyMatrix', {});
  console.log(
    `Dependency matrix: ${matrix.crossTeamEdges} cross-team edges; ${matrix.cells
      .filter((c) => c.integrationTestingRequired)
      .map((c) => `${c.dependentTeam}→${c.providerTeam} ${c.edges}`)
      .join(', ')}`,
  );
  console.log(
    `\nREST: http://127.0.0.1:3001/api/planning/releases/${main} (OpenAPI at /api/planning/docs)`,
  );
  return new Set(
    (release.release?.scope ?? [])
      .filter((s) => s.decision === planning.ScopeDecision.SCOPE_DECISION_INCLUDED)
      .map((s) => s.workloadId),
  );
}
