import { Inject, Injectable } from '@nestjs/common';
import { ValidationError } from '@trainyard/kernel';
import {
  durationStatistics,
  type DurationPolicy,
  type DurationStatistics,
} from '@trainyard/scheduling-domain';
import {
  DeploymentPlanView,
  DeploymentView,
  type DeploymentPlanRow,
  type DeploymentRow,
} from '@trainyard/scheduling-read-models';
import { DURATION_POLICY } from '../config/deployment-policies';
import { SchedulingReadSide } from '../projections/scheduling-read-side';

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

export interface DeploymentFilter extends PageRequest {
  /** UTC instants: deployments whose slot overlaps [from, to). */
  readonly from?: string;
  readonly to?: string;
  readonly releaseId?: string;
  readonly team?: string;
}

export interface Wave {
  readonly environment: string;
  readonly wave: number;
  readonly start: string;
  readonly end: string;
  readonly deployments: readonly DeploymentRow[];
}

const paging = ({ page = 1, pageSize = DEFAULT_PAGE_SIZE }: PageRequest) => {
  if (!Number.isInteger(page) || page < 1)
    throw new ValidationError('page', `page must be a whole number of at least 1; got ${page}.`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw new ValidationError('pageSize', `pageSize must be 1..${MAX_PAGE_SIZE}; got ${pageSize}.`);
  return { page, pageSize };
};

/** Stored instants are UTC `YYYY-MM-DDTHH:MM:SSZ`: compare the bounds in the same form. */
const utcBound = (field: string, value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(ms)
  )
    throw new ValidationError(field, `${field} must be an RFC 3339 instant; got ${value}.`);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
};

/** Reads of the deployment calendar, the waves and the durations. */
@Injectable()
export class DeploymentQueries {
  constructor(
    private readonly readSide: SchedulingReadSide,
    @Inject(DURATION_POLICY) private readonly durationPolicy: DurationPolicy,
  ) {}

  private get deployments() {
    return this.readSide.dataSource.getRepository(DeploymentView);
  }

  async listDeployments(filter: DeploymentFilter): Promise<Page<DeploymentRow>> {
    const { page, pageSize } = paging(filter);
    const from = utcBound('from', filter.from);
    const to = utcBound('to', filter.to);
    if (from && to && to < from)
      throw new ValidationError(
        'to',
        `to must not be before from; got ${filter.to} before ${filter.from}.`,
      );
    await this.readSide.catchUp();
    const query = this.deployments.createQueryBuilder('d');
    if (from) query.andWhere('d.end_at > :from', { from });
    if (to) query.andWhere('d.start_at < :to', { to });
    if (filter.releaseId)
      query.andWhere('d.release_id = :releaseId', { releaseId: filter.releaseId });
    if (filter.team) query.andWhere('d.team = :team', { team: filter.team });
    const [items, total] = await query
      .orderBy('d.start_at', 'ASC')
      .addOrderBy('d.deployment_id', 'ASC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { items, page, pageSize, total };
  }

  async plan(releaseId: string): Promise<DeploymentPlanRow | null> {
    await this.readSide.catchUp();
    return this.readSide.dataSource.getRepository(DeploymentPlanView).findOneBy({ releaseId });
  }

  /** A release's waves per environment, in deployment order; null: no plan for the release. */
  async waves(releaseId: string, request: PageRequest): Promise<Page<Wave> | null> {
    const { page, pageSize } = paging(request);
    const plan = await this.plan(releaseId);
    if (!plan) return null;
    const rows = await this.deployments.find({
      where: { releaseId },
      order: { startAt: 'ASC', deploymentId: 'ASC' },
    });
    const byWave = new Map<string, DeploymentRow[]>();
    for (const row of rows) {
      const key = `${row.environment}\u0000${row.wave}`;
      byWave.set(key, [...(byWave.get(key) ?? []), row]);
    }
    const waves: Wave[] = [...byWave.values()]
      .map((deployments) => ({
        environment: deployments[0]?.environment ?? '',
        wave: deployments[0]?.wave ?? 0,
        start: deployments.map((d) => d.startAt).sort()[0] ?? '',
        end:
          deployments
            .map((d) => d.endAt)
            .sort()
            .at(-1) ?? '',
        deployments,
      }))
      .sort((a, b) => a.start.localeCompare(b.start) || a.wave - b.wave);
    return {
      items: waves.slice((page - 1) * pageSize, page * pageSize),
      page,
      pageSize,
      total: waves.length,
    };
  }

  /** Finished deployments' actual minutes by workload type, oldest first (the estimator's input). */
  async actualMinutesByType(): Promise<Record<string, number[]>> {
    const rows = await this.deployments
      .createQueryBuilder('d')
      .select(['d.workloadType', 'd.actualMinutes', 'd.expectedMinutes'])
      .where("d.status = 'finished'")
      .andWhere('d.actual_minutes IS NOT NULL')
      .orderBy('d.finished_at', 'ASC')
      .getMany();
    const out: Record<string, number[]> = {};
    for (const r of rows) (out[r.workloadType] ??= []).push(r.actualMinutes ?? 0);
    return out;
  }

  /** Per workload type: samples, expected duration now, p50/p90 and mean variance. */
  async durations(
    request: PageRequest & { readonly workloadType?: string },
  ): Promise<Page<DurationStatistics>> {
    const { page, pageSize } = paging(request);
    await this.readSide.catchUp();
    const rows = await this.deployments
      .createQueryBuilder('d')
      .where("d.status = 'finished'")
      .andWhere('d.actual_minutes IS NOT NULL')
      .orderBy('d.finished_at', 'ASC')
      .getMany();
    const byType = new Map<string, { actualMinutes: number; expectedMinutes: number }[]>();
    for (const type of Object.keys(this.durationPolicy.defaults)) byType.set(type, []);
    for (const r of rows)
      byType.set(r.workloadType, [
        ...(byType.get(r.workloadType) ?? []),
        { actualMinutes: r.actualMinutes ?? 0, expectedMinutes: r.expectedMinutes },
      ]);
    const all = [...byType.entries()]
      .filter(([type]) => request.workloadType === undefined || type === request.workloadType)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, finished]) => durationStatistics(type, finished, this.durationPolicy));
    return {
      items: all.slice((page - 1) * pageSize, page * pageSize),
      page,
      pageSize,
      total: all.length,
    };
  }

  /** Expected against actual per deployment (finished ones), most recent first. */
  async deploymentDurations(
    request: PageRequest & { readonly workloadType?: string },
  ): Promise<Page<DeploymentRow>> {
    const { page, pageSize } = paging(request);
    await this.readSide.catchUp();
    const query = this.deployments.createQueryBuilder('d').where("d.status = 'finished'");
    if (request.workloadType) query.andWhere('d.workload_type = :t', { t: request.workloadType });
    const [items, total] = await query
      .orderBy('d.finished_at', 'DESC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { items, page, pageSize, total };
  }

  /** Deployments of other releases overlapping [from, to): what placement must not collide with. */
  async scheduledBetween(from: string, to: string): Promise<DeploymentRow[]> {
    return this.deployments
      .createQueryBuilder('d')
      .where('d.end_at > :from AND d.start_at < :to', { from, to })
      .andWhere("d.status <> 'finished'")
      .getMany();
  }
}
