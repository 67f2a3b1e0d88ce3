import { projectEvents } from '@trainyard/kernel';
import { lifecycleOf } from './api-version.projection';
import type { ApiVersionRow } from './api-version-view.entity';
import { evolveReleaseRow } from './release.projection';
import { evolveReleaseScope } from './release-scope.projection';
import { backlogHealthOf, dependencyMatrixOf, releaseHistoryOf } from './portfolio-views';
import { planningProjection } from './planning.projection';
import { PLANNING_EVENT_TYPES, type ProjectedEvent } from './projected-event';
import type { ReleaseRow } from './release-view.entity';
import type { ScopeItemRow } from './release-scope-item.entity';
import { evolveWorkloadRow } from './workload.projection';
import type { WorkloadRow } from './workload-view.entity';
import { planningLifecycle } from './testing';

/** The runner's fold (`planningProjection`), in memory: rows by key. */
const project = (events: readonly ProjectedEvent[]) => {
  const tables = projectEvents(planningProjection, events);
  const rows = <T>(table: string) => (tables[table] ?? []) as T[];
  const scopes = new Map<string, ScopeItemRow[]>();
  for (const item of rows<ScopeItemRow>('release_scope_items'))
    scopes.set(item.releaseId, [...(scopes.get(item.releaseId) ?? []), item]);
  return {
    workloads: new Map(rows<WorkloadRow>('workloads').map((r) => [r.workloadId, r])),
    releases: new Map(rows<ReleaseRow>('releases').map((r) => [r.releaseId, r])),
    scopes,
    apiVersions: new Map(
      rows<ApiVersionRow>('api_versions').map((r) => [`${r.api}@${r.version}`, r]),
    ),
  };
};

describe('planning read-model folds over a whole lifecycle', () => {
  const scenario = planningLifecycle();
  const { workloads, releases, scopes } = project(scenario.events);
  const item = (releaseId: string, workloadId: string) =>
    scopes.get(releaseId)?.find((i) => i.workloadId === workloadId);

  it('keeps one row per deprecated API version with its timeline, and what each workload consumes', () => {
    const { apiVersions } = project(scenario.events);
    const row = apiVersions.get('accounts@v1');
    expect(row).toMatchObject({
      api: 'accounts',
      version: 'v1',
      reason: 'accounts v2 replaces it',
      deprecatedBy: 'carol',
      streamVersion: 1,
    });
    expect(row && lifecycleOf(row)).toEqual({
      api: 'accounts',
      version: 'v1',
      deprecatedAt: row?.deprecatedAt,
      sunsetAt: row?.sunsetAt,
    });
    expect(workloads.get('W-4')?.consumedApis).toEqual([{ api: 'accounts', version: 'v1' }]);
    expect(workloads.get('W-2')?.libraries).toEqual([{ name: 'auth-client', version: '1.3.1' }]);
  });

  it('covers every planning event type (so the contract spec sees each one)', () => {
    expect(new Set(scenario.events.map((e) => e.event.type))).toEqual(
      new Set(PLANNING_EVENT_TYPES),
    );
  });

  it('keeps one workload row per workload with state, class, tier, WSJF, deferrals and stream version', () => {
    expect(workloads.get('W-1')).toMatchObject({
      state: 'backlog',
      team: 'audit',
      changeType: 'compliance-audit',
      riskTier: 'high',
      deferralCount: 1,
      lastDeferralReason: expect.stringContaining('deferred') as string,
      version: 2,
    });
    expect(workloads.get('W-2')).toMatchObject({
      state: 'backlog',
      deferralCount: 1,
      lastDeferralReason: 'excluded by exception',
      releaseId: null,
    });
    expect(workloads.get('W-3')).toMatchObject({
      state: 'completed',
      releaseId: 'R-1',
      completedJobSize: 11,
      deferralCount: 1,
    });
    expect(workloads.get('W-5')).toMatchObject({
      state: 'planned',
      releaseId: 'R-HOT',
      changeType: 'emergency-patch',
    });
    expect(workloads.get('W-6')).toMatchObject({
      state: 'withdrawn',
      withdrawnReason: 'duplicate of W-2',
      riskTier: 'high',
    });
    expect(workloads.get('W-2')?.wsjf).toBeCloseTo(16 / 5, 10);
  });

  it('keeps the release row: capacity used through exceptions, delivery per team once closed', () => {
    expect(releases.get('R-1')).toMatchObject({
      status: 'released',
      capacityTotal: 16,
      capacityUsed: 13,
      negotiatedExclude: ['W-4'],
      complianceAlerts: [expect.stringContaining('W-1') as string],
      delivered: [{ team: 'ledger', completedJobSize: 0, unplannedJobSize: 11, plannedJobSize: 0 }],
    });
    expect(releases.get('R-2')).toMatchObject({
      status: 'cancelled',
      cancelReason: 'train cancelled',
      negotiatedInclude: ['W-4'],
    });
    expect(releases.get('R-HOT')).toMatchObject({
      kind: 'emergency',
      status: 'scope-committed',
      trainId: 'hotfix',
      capacityUsed: 1,
    });
  });

  it('explains every workload of the release: the allocation reason, exceptions with their approver, negotiated exclusions', () => {
    expect(item('R-1', 'W-2')).toMatchObject({
      decision: 'excluded',
      approver: 'bob',
      reason: 'scope exception (exclude) approved by bob: vendor late',
    });
    expect(item('R-1', 'W-3')).toMatchObject({
      decision: 'included',
      unplanned: true,
      jobSize: 13,
      completedJobSize: 11,
      reason: 'scope exception (include) approved by bob: regulator deadline',
    });
    expect(item('R-1', 'W-1')).toMatchObject({
      decision: 'deferred',
      reason: expect.stringContaining('deferred') as string,
    });
    expect(item('R-1', 'W-4')).toMatchObject({
      decision: 'deferred',
      reason: expect.stringContaining('negotiation') as string,
    });
    expect(item('R-HOT', 'W-5')).toMatchObject({
      decision: 'included',
      unplanned: true,
      reason: 'emergency patch: severity 5, incident INC-1, approved by bob',
    });
    for (const i of scopes.get('R-1') ?? []) expect(i.reason).not.toBe('');
  });

  it('takes the included reason from WorkloadPlanned’s stated reason (the allocation explanation)', () => {
    const scope = evolveReleaseScope(
      evolveReleaseScope([], {
        event: {
          type: 'ReleaseScopeCommitted',
          data: {
            releaseId: 'R',
            trainId: 'main',
            workloads: [
              { workloadId: 'W', team: 't', jobSize: 3, changeType: 'defect-fix', order: 1 },
            ],
            deploymentOrder: [],
            capacityTotal: 10,
            capacityUsed: 3,
            deferredCount: 0,
            policyVersion: 'p',
            committedBy: 'a',
            committedAt: '2026-11-02T09:00:00Z',
          },
        },
        streamVersion: 2,
        actor: 'a',
      }),
      {
        event: {
          type: 'WorkloadPlanned',
          data: {
            workloadId: 'W',
            team: 't',
            releaseId: 'R',
            plannedBy: 'a',
            plannedAt: '2026-11-02T09:00:00Z',
          },
        },
        streamVersion: 2,
        actor: 'a',
        reason: 'included: WSJF 5.00 fits',
      },
    );
    expect(scope).toEqual([
      expect.objectContaining({
        decision: 'included',
        reason: 'included: WSJF 5.00 fits',
        order: 1,
        jobSize: 3,
      }),
    ]);
  });

  it('ignores events for rows that were never created, instead of inventing them', () => {
    expect(
      evolveWorkloadRow(undefined, {
        event: {
          type: 'WorkloadWithdrawn',
          data: {
            workloadId: 'X',
            team: 't',
            reason: 'r',
            withdrawnBy: 'a',
            withdrawnAt: '2026-11-02T09:00:00Z',
          },
        },
        streamVersion: 2,
        actor: 'a',
      }),
    ).toBeUndefined();
    expect(
      evolveReleaseRow(undefined, {
        event: {
          type: 'ReleaseCancelled',
          data: {
            releaseId: 'X',
            reason: 'r',
            workloadIds: [],
            cancelledBy: 'a',
            cancelledAt: '2026-11-02T09:00:00Z',
          },
        },
        streamVersion: 2,
        actor: 'a',
      }),
    ).toBeUndefined();
  });

  it('derives backlog health, the dependency matrix and velocity history from the rows', () => {
    const rows = [...workloads.values()].filter((r): r is WorkloadRow => r !== undefined);
    const health = backlogHealthOf(rows, '2026-11-12T09:00:00.000Z');
    expect(health.deferredWorkloads).toBe(3); // W-1 (too big), W-2 (excluded by exception), W-4 (negotiated out)
    expect(health.teams.find((t) => t.team === 'audit')).toMatchObject({
      openWorkloads: 1,
      deferredWorkloads: 1,
      oldestDeferredAgeDays: 10,
    });
    expect(dependencyMatrixOf(rows).cells).toEqual([
      expect.objectContaining({
        dependentTeam: 'payments',
        providerTeam: 'payments',
        pairs: [['W-4', 'W-2']],
      }),
    ]);
    const history = releaseHistoryOf(
      [...releases.values()].filter((r): r is ReleaseRow => r !== undefined),
    );
    expect(history).toEqual([
      expect.objectContaining({ releaseId: 'R-1', trainId: 'main', kind: 'train' }),
    ]);
  });
});
