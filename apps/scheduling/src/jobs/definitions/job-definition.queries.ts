import { Injectable } from '@nestjs/common';
import { IsNull, Not, type FindOptionsWhere } from 'typeorm';
import { NotFoundError, ValidationError } from '@trainyard/kernel';
import { JOB_NAME } from '@trainyard/scheduling-domain';
import {
  JobDefinitionView,
  JobManifestVersionView,
  type JobDefinitionRow,
  type JobManifestVersionRow,
} from '@trainyard/scheduling-read-models';
import { SchedulingReadSide } from '../../projections/scheduling-read-side';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;
export const JOB_LIST_STATUSES = ['scheduled', 'deprecated', 'awaiting-approval'] as const;
export type JobListStatus = (typeof JOB_LIST_STATUSES)[number];

export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

export interface JobFilter {
  readonly owner?: string;
  readonly status?: string;
  readonly page?: number;
  readonly pageSize?: number;
}

/** Field names as the caller's transport spells them, for errors. */
export interface JobQueryFieldNames {
  readonly page: string;
  readonly pageSize: string;
}

const paging = (filter: { page?: number; pageSize?: number }, names: JobQueryFieldNames) => {
  const page = filter.page ?? 1;
  const pageSize = filter.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(page) || page < 1 || page > 1_000_000)
    throw new ValidationError(
      names.page,
      `${names.page} must be a whole number from 1 to 1000000.`,
    );
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw new ValidationError(
      names.pageSize,
      `${names.pageSize} must be a whole number from 1 to ${MAX_PAGE_SIZE}.`,
    );
  return { page, pageSize };
};

/** A job name as given by a caller: checked, so an unknown name is NOT_FOUND and junk is a 400. */
export const jobName = (name: string, field = 'name'): string => {
  if (!JOB_NAME.test(name))
    throw new ValidationError(
      field,
      `${field} must be a job name <team>.<system>.<job>; got ${JSON.stringify(name.slice(0, 60))}.`,
    );
  return name;
};

/** Job-definition read-model queries shared by the gRPC and REST adapters and the catalogue. */
@Injectable()
export class JobDefinitionQueries {
  constructor(private readonly readSide: SchedulingReadSide) {}

  private get manager() {
    return this.readSide.dataSource.manager;
  }

  async find(name: string): Promise<JobDefinitionRow | undefined> {
    await this.readSide.catchUp();
    return (await this.manager.findOneBy(JobDefinitionView, { name })) ?? undefined;
  }

  async get(name: string): Promise<JobDefinitionRow> {
    const row = await this.find(jobName(name));
    if (!row) throw new NotFoundError('job definition', name);
    return row;
  }

  async list(filter: JobFilter, names: JobQueryFieldNames & { status: string; owner: string }) {
    const { page, pageSize } = paging(filter, names);
    const where: FindOptionsWhere<JobDefinitionView> = {};
    if (filter.owner) {
      if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(filter.owner))
        throw new ValidationError(names.owner, `${names.owner} must be a team name.`);
      where.owner = filter.owner;
    }
    if (filter.status) {
      if (!(JOB_LIST_STATUSES as readonly string[]).includes(filter.status))
        throw new ValidationError(
          names.status,
          `${names.status} must be one of ${JOB_LIST_STATUSES.join(', ')}.`,
        );
      const status = filter.status as JobListStatus;
      if (status === 'scheduled') {
        where.deprecated = false;
        where.runningVersion = Not(IsNull());
      } else if (status === 'deprecated') where.deprecated = true;
      else where.proposalDigest = Not(IsNull());
    }
    await this.readSide.catchUp();
    const [items, total] = await this.manager.findAndCount(JobDefinitionView, {
      where,
      order: { name: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items, page, pageSize, total } satisfies Page<JobDefinitionRow>;
  }

  async versions(
    name: string,
    filter: { page?: number; pageSize?: number },
    names: JobQueryFieldNames,
  ): Promise<Page<JobManifestVersionRow>> {
    const { page, pageSize } = paging(filter, names);
    await this.get(name);
    const [items, total] = await this.manager.findAndCount(JobManifestVersionView, {
      where: { name },
      order: { jobVersion: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items, page, pageSize, total };
  }

  /** Every job with a running version, by name (the runtime's catalogue). */
  async running(): Promise<JobDefinitionRow[]> {
    return this.manager.find(JobDefinitionView, {
      where: { runningVersion: Not(IsNull()) },
      order: { name: 'ASC' },
    });
  }
}
