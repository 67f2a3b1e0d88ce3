import { Inject, Injectable } from '@nestjs/common';
import { In, type FindOptionsWhere } from 'typeorm';
import { NotFoundError, ValidationError } from '@trainyard/kernel';
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
  type QuarterRelease,
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
  type ReleaseViewStatus,
  type ScopeItemRow,
  type WorkloadRow,
  type WorkloadViewState,
} from '@trainyard/planning-read-models';
import { PLANNING_POLICY } from '../config/planning-policy';
import { PlanningReadSide } from '../projections/planning-read-side';

export const WORKLOAD_STATES: readonly WorkloadViewState[] = [
  'backlog',
  'planned',
  'completed',
  'withdrawn',
];
export const RELEASE_STATUSES: readonly ReleaseViewStatus[] = [
  'planning',
  'scope-committed',
  'released',
  'cancelled',
];
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

export interface PageRequest {
  readonly page?: number;
  readonly pageSize?: number;
}

export interface WorkloadFilter extends PageRequest {
  readonly state?: string;
  readonly team?: string;
  readonly tier?: string;
  readonly changeType?: string;
  readonly trackId?: string;
}

export interface ReleaseFilter extends PageRequest {
  readonly trainId?: string;
  readonly status?: string;
}

/** A scope item with what the release view adds from the workload: title, WSJF, resolved job size. */
export interface ScopeItemDetail extends ScopeItemRow {
  readonly title: string;
  readonly wsjf: number | null;
  readonly resolvedJobSize: number | null;
}

export interface ReleaseDetail extends ReleaseRow {
  readonly scope: readonly ScopeItemDetail[];
  readonly unplannedUsed: number;
}

/** Field names as the caller gave them (snake_case over gRPC, camelCase over HTTP). */
export interface FieldNames {
  readonly page: string;
  readonly pageSize: string;
  readonly state: string;
  readonly tier: string;
  readonly changeType: string;
  readonly status: string;
}

const oneOf = <T extends string>(
  field: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined => {
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new ValidationError(field, `must be one of ${allowed.join(', ')}; got ${value}`);
  return value as T;
};

const paging = (request: PageRequest, names: FieldNames): { page: number; pageSize: number } => {
  const page = request.page ?? 1;
  const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(page) || page < 1)
    throw new ValidationError(names.page, `must be an integer 1..${Number.MAX_SAFE_INTEGER}`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw new ValidationError(names.pageSize, `must be an integer 1..${MAX_PAGE_SIZE}`);
  return { page, pageSize };
};

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

  /** The train's committed or closed releases with the technical debt in their scope. */
  async committedReleases(trainId: string): Promise<readonly QuarterRelease[]> {
    await this.readSide.catchUp();
    const releases = await this.manager.find(ReleaseView, {
      where: { trainId, status: In(['scope-committed', 'released']) },
    });
    if (releases.length === 0) return [];
    const debt: { release_id: string; job_size: number }[] = await this.manager.query(
      `SELECT release_id, coalesce(sum(job_size), 0)::float8 AS job_size
         FROM "${this.readSide.schema}".release_scope_items
        WHERE release_id = ANY($1) AND decision = 'included' AND change_type = 'technical-debt'
        GROUP BY release_id`,
      [releases.map((r) => r.releaseId)],
    );
    const byRelease = new Map(debt.map((d) => [d.release_id, d.job_size]));
    return releases.flatMap((r) =>
      r.windowStart === null
        ? []
        : [
            {
              releaseId: r.releaseId,
              windowStart: r.windowStart,
              capacityTotal: r.capacityTotal,
              techDebt: byRelease.get(r.releaseId) ?? 0,
            },
          ],
    );
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

  /**
   * The `dependsOn` lists reachable from `roots`, so registration can refuse a cycle it would
   * close without loading every workload.
   */
  async dependencyClosure(
    roots: readonly string[],
  ): Promise<ReadonlyMap<string, readonly string[]>> {
    if (roots.length === 0) return new Map();
    await this.readSide.catchUp();
    const rows: { workload_id: string; depends_on: string[] }[] = await this.manager.query(
      `WITH RECURSIVE reach(id) AS (
         SELECT unnest($1::text[])
         UNION
         SELECT jsonb_array_elements_text(w.depends_on) FROM "${this.readSide.schema}".workloads w JOIN reach r ON w.workload_id = r.id
       )
       SELECT w.workload_id, w.depends_on FROM "${this.readSide.schema}".workloads w JOIN reach r ON w.workload_id = r.id`,
      [[...roots]],
    );
    return new Map(rows.map((r) => [r.workload_id, r.depends_on]));
  }
}

/** What allocation needs from a workload row: the domain's one mapper. */
export const candidateOf = (row: WorkloadRow): AllocationCandidate => toAllocationCandidate(row);
