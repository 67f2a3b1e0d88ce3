import { Inject, Injectable } from '@nestjs/common';
import { In, type FindOptionsWhere } from 'typeorm';
import { NotFoundError } from '@trainyard/kernel';
import {
  CHANGE_TYPES,
  RISK_TIERS,
  capacityFromHistory,
  flagDeprecatedApiUsage,
  type AllocationCandidate,
  type ApiVersionLifecycle,
  type DeprecationFlag,
  type BacklogHealth,
  type CapacityEstimate,
  type PlanningPolicy,
  type ReleaseHistoryEntry,
  type TeamDependencyMatrix,
  toAllocationCandidate,
} from '@trainyard/planning-domain';
import {
  ApiVersionView,
  ReleaseScopeItemView,
  ReleaseView,
  WorkloadView,
  lifecycleOf,
  backlogHealthOf,
  dependencyMatrixOf,
  releaseHistoryOf,
  type ApiVersionRow,
  type ReleaseRow,
  type WorkloadRow,
} from '@trainyard/planning-read-models';
import { PLANNING_POLICY } from '../config/planning-policy';
import { PlanningReadSide } from '../projections/planning-read-side';

import {
  RELEASE_STATUSES,
  WORKLOAD_STATES,
  oneOf,
  paging,
  type FieldNames,
  type Page,
  type ReleaseDetail,
  type ReleaseFilter,
  type ScopeItemDetail,
  type WorkloadFilter,
} from './query-paging';

export {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  RELEASE_STATUSES,
  WORKLOAD_STATES,
} from './query-paging';
export type {
  FieldNames,
  Page,
  PageRequest,
  ReleaseDetail,
  ReleaseFilter,
  ScopeItemDetail,
  WorkloadFilter,
} from './query-paging';

/** Read-model queries shared by the gRPC and REST adapters. */
@Injectable()
export class PlanningQueries {
  constructor(
    private readonly readSide: PlanningReadSide,
    @Inject(PLANNING_POLICY) private readonly policy: PlanningPolicy,
  ) {}

  private get manager() {
    return this.readSide.dataSource.manager;
  }

  async getWorkload(workloadId: string): Promise<WorkloadRow> {
    await this.readSide.catchUp();
    const row = await this.manager.findOneBy(WorkloadView, { workloadId });
    if (!row) throw new NotFoundError('workload', workloadId);
    return row;
  }

  async findWorkload(workloadId: string): Promise<WorkloadRow | undefined> {
    await this.readSide.catchUp();
    return (await this.manager.findOneBy(WorkloadView, { workloadId })) ?? undefined;
  }

  async listWorkloads(filter: WorkloadFilter, names: FieldNames): Promise<Page<WorkloadRow>> {
    const { page, pageSize } = paging(filter, names);
    const where: FindOptionsWhere<WorkloadView> = {};
    const state = oneOf(names.state, filter.state, WORKLOAD_STATES);
    const tier = oneOf(names.tier, filter.tier, RISK_TIERS);
    const changeType = oneOf(names.changeType, filter.changeType, CHANGE_TYPES);
    if (state) where.state = state;
    if (tier) where.riskTier = tier;
    if (changeType) where.changeType = changeType;
    if (filter.team) where.team = filter.team;
    if (filter.trackId) where.trackId = filter.trackId;
    await this.readSide.catchUp();
    const [items, total] = await this.manager.findAndCount(WorkloadView, {
      where,
      order: { registeredAt: 'ASC', workloadId: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items, page, pageSize, total };
  }

  async listReleases(filter: ReleaseFilter, names: FieldNames): Promise<Page<ReleaseRow>> {
    const { page, pageSize } = paging(filter, names);
    const where: FindOptionsWhere<ReleaseView> = {};
    const status = oneOf(names.status, filter.status, RELEASE_STATUSES);
    if (status) where.status = status;
    if (filter.trainId) where.trainId = filter.trainId;
    await this.readSide.catchUp();
    const [items, total] = await this.manager.findAndCount(ReleaseView, {
      where,
      order: { windowStart: { direction: 'DESC', nulls: 'LAST' }, releaseId: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items, page, pageSize, total };
  }

  async getRelease(releaseId: string): Promise<ReleaseDetail> {
    await this.readSide.catchUp();
    const release = await this.manager.findOneBy(ReleaseView, { releaseId });
    if (!release) throw new NotFoundError('release', releaseId);
    const items = await this.manager.findBy(ReleaseScopeItemView, { releaseId });
    const workloads = new Map(
      (items.length > 0
        ? await this.manager.findBy(WorkloadView, {
            workloadId: In(items.map((i) => i.workloadId)),
          })
        : []
      ).map((w) => [w.workloadId, w]),
    );
    const rank = { included: 0, excluded: 1, deferred: 2 } as const;
    const scope = items
      .map((item): ScopeItemDetail => {
        const w = workloads.get(item.workloadId);
        return {
          ...item,
          title: w?.title ?? '',
          wsjf: w?.wsjf ?? null,
          resolvedJobSize: item.jobSize ?? w?.jobSize ?? null,
        };
      })
      .sort(
        (a, b) =>
          rank[a.decision] - rank[b.decision] ||
          (a.order ?? Number.MAX_SAFE_INTEGER) - (b.order ?? Number.MAX_SAFE_INTEGER) ||
          (b.wsjf ?? 0) - (a.wsjf ?? 0) ||
          (a.workloadId < b.workloadId ? -1 : 1),
      );
    const unplannedUsed = scope
      .filter((s) => s.unplanned && s.decision === 'included')
      .reduce((sum, s) => sum + (s.resolvedJobSize ?? 0), 0);
    return { ...release, scope, unplannedUsed };
  }

  async backlogHealth(now: string): Promise<BacklogHealth> {
    await this.readSide.catchUp();
    return backlogHealthOf(await this.manager.findBy(WorkloadView, { state: 'backlog' }), now);
  }

  async dependencyMatrix(): Promise<TeamDependencyMatrix> {
    await this.readSide.catchUp();
    return dependencyMatrixOf(
      await this.manager.find(WorkloadView, {
        select: { workloadId: true, team: true, dependsOn: true, state: true },
      }),
    );
  }

  async titles(workloadIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    if (workloadIds.length === 0) return new Map();
    const rows = await this.manager.find(WorkloadView, {
      select: { workloadId: true, title: true },
      where: { workloadId: In([...workloadIds]) },
    });
    return new Map(rows.map((r) => [r.workloadId, r.title]));
  }

  /** Backlog workloads routed to the train: what allocation chooses from. */
  async candidates(trainId: string): Promise<readonly WorkloadRow[]> {
    await this.readSide.catchUp();
    return this.manager.find(WorkloadView, {
      where: { state: 'backlog', trackId: trainId },
      order: { workloadId: 'ASC' },
    });
  }

  /** Of these ids, the workloads already delivered (their dependants are unblocked). */
  async released(workloadIds: readonly string[]): Promise<readonly string[]> {
    if (workloadIds.length === 0) return [];
    const rows = await this.manager.find(WorkloadView, {
      select: { workloadId: true },
      where: { workloadId: In([...workloadIds]), state: 'completed' },
    });
    return rows.map((r) => r.workloadId);
  }

  async history(trainId: string): Promise<readonly ReleaseHistoryEntry[]> {
    await this.readSide.catchUp();
    return releaseHistoryOf(
      await this.manager.findBy(ReleaseView, { trainId, status: 'released' }),
    );
  }

  async estimateCapacity(trainId: string, teams: readonly string[]): Promise<CapacityEstimate> {
    const chosen =
      teams.length > 0 ? teams : [...new Set((await this.candidates(trainId)).map((c) => c.team))];
    return capacityFromHistory({
      history: await this.history(trainId),
      teams: chosen,
      trainId,
      policy: this.policy,
    });
  }

  /** Announced deprecations, all or of these APIs, in API and version order. */
  async apiVersions(apis?: readonly string[]): Promise<readonly ApiVersionRow[]> {
    await this.readSide.catchUp();
    return this.manager.find(ApiVersionView, {
      ...(apis ? { where: { api: In([...apis]) } } : {}),
      order: { api: 'ASC', version: 'ASC' },
    });
  }

  async apiVersion(api: string, version: string): Promise<ApiVersionRow> {
    await this.readSide.catchUp();
    const row = await this.manager.findOneBy(ApiVersionView, { api, version });
    if (!row) throw new NotFoundError('api version', `${api} ${version}`);
    return row;
  }

  async apiLifecycles(apis?: readonly string[]): Promise<readonly ApiVersionLifecycle[]> {
    if (apis?.length === 0) return [];
    return (await this.apiVersions(apis)).map(lifecycleOf);
  }

  /** Deprecated versions (of `api`, or all) and the open workloads still consuming them at `now`. */
  async apiDeprecations(
    api: string | undefined,
    now: string,
  ): Promise<{ versions: readonly ApiVersionRow[]; flags: readonly DeprecationFlag[] }> {
    const versions = await this.apiVersions(api ? [api] : undefined);
    if (versions.length === 0) return { versions, flags: [] };
    const open = await this.manager.find(WorkloadView, {
      select: { workloadId: true, consumedApis: true },
      where: { state: In(['backlog', 'planned']) },
    });
    const flags = flagDeprecatedApiUsage({
      lifecycles: versions.map(lifecycleOf),
      consumers: open.flatMap((w) =>
        w.consumedApis.map((c) => ({ consumer: w.workloadId, api: c.api, version: c.version })),
      ),
      now,
    });
    return { versions, flags };
  }
}

/** What allocation needs from a workload row: the domain's one mapper. */
export const candidateOf = (row: WorkloadRow): AllocationCandidate => toAllocationCandidate(row);
