// npm run demo — drives the running platform's public gRPC APIs (planning at 127.0.0.1:50051 or
// PLANNING_GRPC_ADDRESS, scheduling at 127.0.0.1:50052 or SCHEDULING_GRPC_ADDRESS, compliance at
// 127.0.0.1:50054 or COMPLIANCE_GRPC_ADDRESS) to build a realistic portfolio: seven teams, two
// release trains and an independent track, three closed releases of history, sixty workloads with
// dependencies, a compliance item and an emergency patch; commits the next release's scope and
// prints the plan with the reason for each workload, the deployment plan scheduling placed, the
// compliance reviews and evidence (demo/compliance-demo.ts), and the month-end batch jobs
// (demo-jobs.ts). Ids carry a per-run suffix, so it can run again.
//
// It runs in sections (demo/demo-sections.ts): a section that fails says why (what it waited for,
// how long), the sections that need it are skipped, the others still run, and a summary at the end
// lists every section; the exit code is non-zero when any section did not pass.
import { randomBytes } from 'node:crypto';
import { planning } from '@trainyard/grpc-contracts';
import { localDir, signDevToken } from '@trainyard/infra';
import { prepareCompliancePolicy, runComplianceDemo } from './demo/compliance-demo';
import { demoClient, unary } from './demo/demo-grpc';
import { DemoSections } from './demo/demo-sections';
import {
  COMPONENT_OF,
  HISTORY_TEAMS,
  TEAMS,
  TEAM_VELOCITY,
  portfolio,
  svc,
  type DeprecatedApis,
  type Spec,
} from './demo/planning-portfolio';
import { schedulingDemo } from './demo/scheduling-demo';
import { monthEndJobs } from './demo-jobs';

const ADDRESS = process.env.PLANNING_GRPC_ADDRESS ?? '127.0.0.1:50051';
const SCHEDULING_ADDRESS = process.env.SCHEDULING_GRPC_ADDRESS ?? '127.0.0.1:50052';
const RUN = randomBytes(2).toString('hex');
const id = (name: string): string => `${name}-${RUN}`;
const { ChangeType: C } = planning;

const client = demoClient('planning', 'PlanningService', ADDRESS);
let token = '';

const call = <T>(method: string, request: unknown): Promise<T> =>
  unary<T>(client, method, request, token, { correlationId: `demo-${RUN}` });

// Per run, since an announced deprecation timeline never changes.
const DEPRECATED: DeprecatedApis = {
  legacyPayments: id('payments-legacy-api'),
  accounts: id('accounts-api'),
};

const register = async (spec: Spec, reason: string): Promise<planning.Workload> => {
  const response = await call<planning.RegisterWorkloadResponse>('RegisterWorkload', {
    workloadId: id(spec.key),
    title: spec.title,
    team: spec.team,
    components: spec.components,
    regulatedData: spec.regulatedData ?? [],
    jobSize: spec.job,
    businessValue: spec.bv,
    timeCriticality: spec.tc,
    riskReduction: spec.rr,
    changeType: spec.changeType ?? C.CHANGE_TYPE_UNSPECIFIED,
    dependsOn: (spec.dependsOn ?? []).map(id),
    ...(spec.apiContract ? { apiContract: spec.apiContract } : {}),
    schemaChange: spec.schemaChange ?? false,
    libraries: spec.libraries ?? [],
    consumedApis: spec.consumedApis ?? [],
    featureFlag: spec.featureFlag ?? '',
    severity: spec.severity ?? 0,
    linkedIncident: spec.linkedIncident ?? '',
    reason,
  });
  if (!response.workload)
    throw new Error(`RegisterWorkload ${spec.key}: no workload in the response`);
  return response.workload;
};

// --- history: three closed releases on the main train -------------------------------------------

async function closedRelease(n: number, weeksAgo: number): Promise<void> {
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
async function withdrawEarlierRuns(): Promise<number> {
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
    await call('WithdrawWorkload', { workloadId, reason: `superseded by demo run ${RUN}` });
  return stale.length;
}

// --- output ------------------------------------------------------------------------------------

const pad = (text: string, width: number): string =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
const short = (enumValue: string, prefix: string): string =>
  enumValue.replace(`${prefix}_`, '').toLowerCase().replace(/_/g, '-');

function printPlan(plan: planning.Plan, capacity: planning.CapacityEstimate | undefined): void {
  console.log(
    `\nRelease ${plan.releaseId} on train ${plan.trainId} — policy ${plan.policyVersion}`,
  );
  console.log(
    `Capacity used ${plan.capacityUsed} of ${plan.capacityTotal}; tech-debt reserve ${plan.techDebt?.reserve ?? 0} (used ${plan.techDebt?.used ?? 0})`,
  );
  for (const t of capacity?.teams ?? [])
    console.log(
      `  capacity ${pad(t.team, 12)} ${String(t.capacity).padStart(4)}  ${t.explanation}`,
    );
  const header = `${'#'.padStart(3)}  ${pad('workload', 22)} ${pad('team', 13)} ${pad('title', 38)} ${'job'.padStart(3)} ${'WSJF'.padStart(5)}  ${pad('decision', 9)} reason`;
  console.log(`\n${header}\n${'-'.repeat(header.length + 40)}`);
  const sorted = [...plan.entries].sort((a, b) => a.order - b.order);
  for (const e of sorted) {
    console.log(
      `${String(e.order).padStart(3)}  ${pad(e.workloadId, 22)} ${pad(e.team, 13)} ${pad(e.title, 38)} ${String(e.jobSize).padStart(3)} ${e.wsjf.toFixed(2).padStart(5)}  ${pad(short(e.decision, 'SCOPE_DECISION'), 9)} ${e.reason}`,
    );
  }
  for (const a of plan.alerts) console.log(`ALERT ${a.type}: ${a.reason}`);
  for (const f of plan.couplingFlags) console.log(`integration testing: ${f.reason}`);
  for (const f of plan.deprecationFlags) console.log(`deprecated API: ${f.message}`);
  for (const skew of plan.versionSkews) {
    console.log(`version skew: ${skew.reason}`);
    for (const r of skew.resolutions)
      console.log(`  ${short(r.action, 'SKEW_ACTION')}: ${r.reason}`);
  }
  for (const g of plan.contractGroups)
    console.log(
      `deploy together (${g.contract}): ${g.workloadIds.join(', ')}${g.decoupledByFlag.length ? `; behind a flag: ${g.decoupledByFlag.join(', ')}` : ''}`,
    );
  const waves = new Map<number, string[]>();
  for (const d of plan.deploymentOrder)
    waves.set(d.wave, [...(waves.get(d.wave) ?? []), d.workloadId]);
  for (const [wave, ids] of [...waves].sort((a, b) => a[0] - b[0]))
    console.log(`wave ${wave}: ${ids.join(', ')}`);
}

// --- the sections ------------------------------------------------------------------------------

/** Planning answers; earlier runs' leftovers withdrawn from the backlog. */
async function preparePlanning(): Promise<planning.ListTracksResponse> {
  const tracks = await call<planning.ListTracksResponse>('ListTracks', {});
  console.log(
    `Planning policy ${tracks.policyVersion}; tracks: ${tracks.tracks.map((t) => `${t.trackId} (${short(t.kind, 'TRACK_KIND')})`).join(', ')}`,
  );
  const withdrawn = await withdrawEarlierRuns();
  console.log(
    `Run suffix ${RUN}${withdrawn > 0 ? `; withdrew ${withdrawn} backlog workloads left by earlier demo runs` : ''}`,
  );
  return tracks;
}

/** Three closed releases of the main train, and two API deprecations. */
async function history(): Promise<void> {
  console.log('\nHistory: three closed releases of the main train');
  for (const [n, weeksAgo] of [
    [1, 8],
    [2, 6],
    [3, 4],
  ] as const)
    await closedRelease(n, weeksAgo);

  const day = 86_400_000;
  await call('DeprecateApiVersion', {
    api: DEPRECATED.legacyPayments,
    version: 'v1',
    deprecatedAt: new Date(Date.now() - 60 * day).toISOString(),
    sunsetAt: new Date(Date.now() + 3 * day).toISOString(),
    reason: 'replaced by the payments API v2; removal announced at the architecture board',
  });
  await call('DeprecateApiVersion', {
    api: DEPRECATED.accounts,
    version: 'v1',
    deprecatedAt: new Date(Date.now() - 30 * day).toISOString(),
    reason: 'accounts API v2 (identity-1) replaces it',
  });
  console.log(
    `\nAPI deprecations: ${DEPRECATED.legacyPayments} v1 (removed in 3 days), ${DEPRECATED.accounts} v1 (deprecated)`,
  );
}

interface Portfolio {
  readonly registered: ReadonlyMap<string, planning.Workload>;
  readonly main: string;
  readonly data: string;
  readonly infraRelease: string;
}

/** Sixty workloads, the emergency patch, and the next increment's three releases planned. */
async function registerPortfolio(): Promise<Portfolio> {
  const specs = portfolio(DEPRECATED);
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
async function commitReleases({ main, data, infraRelease }: Portfolio): Promise<planning.Plan> {
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
async function printReadModels(main: string): Promise<ReadonlySet<string>> {
  const release = await call<planning.GetReleaseResponse>('GetRelease', { releaseId: main });
  console.log(
    `\nRead model: ${main} has ${release.release?.scope.filter((s) => s.decision === planning.ScopeDecision.SCOPE_DECISION_INCLUDED).length} workloads in scope, capacity used ${release.release?.capacityUsed} of ${release.release?.capacityTotal}`,
  );
  const health = await call<planning.GetBacklogHealthResponse>('GetBacklogHealth', {});
  console.log(
    `Backlog health: ${health.deferredWorkloads} deferred workloads; ${health.teams.map((t) => `${t.team} ${t.deferredWorkloads}/${t.openWorkloads} (max ${t.maxDeferralCount}×)`).join(', ')}`,
  );
  const deprecations = await call<planning.ListApiDeprecationsResponse>('ListApiDeprecations', {});
  const ours = deprecations.flags.filter((f) => f.api.endsWith(RUN));
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

/**
 * Each section runs unless one it needs (named in its second argument) did not complete; the
 * order is the platform's flow, so compliance's policy is active before the portfolio arrives and
 * the calendar is defined before the release is committed.
 */
async function main(): Promise<boolean> {
  token = await signDevToken({ roles: ['admin'], subject: 'demo-release-manager' });
  const scheduling = schedulingDemo(SCHEDULING_ADDRESS, token, RUN);
  const complianceTarget = {
    grpcAddress: process.env.COMPLIANCE_GRPC_ADDRESS ?? '127.0.0.1:50054',
    httpUrl: process.env.COMPLIANCE_HTTP_URL ?? 'http://127.0.0.1:3004',
    sign: (roles: readonly string[], subject: string) => signDevToken({ roles, subject }),
  };
  const compliancePeriodFrom = new Date(Date.now() - 1000).toISOString();
  const demo = new DemoSections();
  try {
    const planningUp = await demo.run('planning', {}, preparePlanning);
    await demo.run('history', { planning: planningUp }, history);
    // Compliance (issue 13): its change-control policy active before the portfolio arrives.
    const policy = await demo.run('policy', {}, () => prepareCompliancePolicy(complianceTarget));
    const registered = await demo.run('portfolio', { planning: planningUp }, registerPortfolio);
    // Scheduling's calendar (issue 11) before the commit, so the placement sees it.
    const calendar = await demo.run('calendar', {}, () => scheduling.defineCalendar());
    const plan = await demo.run('commit', { portfolio: registered }, ({ portfolio }) =>
      commitReleases(portfolio),
    );
    const placed = await demo.run(
      'placement',
      { portfolio: registered, commit: plan },
      async ({ portfolio }) => {
        await scheduling.printDeploymentPlan(portfolio.main);
        return true;
      },
    );
    await demo.run('override', { calendar, placement: placed }, ({ calendar }) =>
      scheduling.printOverride(calendar.overrideId),
    );
    const included = await demo.run(
      'read-models',
      { portfolio: registered, commit: plan },
      ({ portfolio }) => printReadModels(portfolio.main),
    );
    await demo.run('compliance', { policy, portfolio: registered }, ({ portfolio }) => {
      // The regulated workloads in main's committed scope (all of them if none made it in).
      const regulated = [...portfolio.registered.values()].filter(
        (w) => w.regulatedData.length > 0,
      );
      const inScope = regulated.filter((w) => included?.has(w.workloadId));
      return runComplianceDemo(complianceTarget, {
        run: RUN,
        releaseId: portfolio.main,
        regulatedWorkloadIds: (inScope.length > 0 ? inScope : regulated).map((w) => w.workloadId),
        emergencyWorkloadId: id('payments-hotfix'),
        author: 'demo-release-manager',
        periodFrom: compliancePeriodFrom,
        outDir: localDir('demo'),
        erasure: { planningGrpcAddress: ADDRESS },
      });
    });
    // Batch jobs (issue 12): the month-end DAG across payments, finance and reporting.
    await demo.run('jobs', {}, () => monthEndJobs(SCHEDULING_ADDRESS));
  } finally {
    scheduling.close();
    client.close();
  }
  console.log(`\n${demo.summary().join('\n')}`);
  return demo.ok;
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    client.close();
    process.exitCode = 1;
  },
);
