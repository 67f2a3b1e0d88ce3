import { Injectable } from '@nestjs/common';
import { In, LessThanOrEqual, type FindOptionsWhere } from 'typeorm';
import { NotFoundError, ValidationError } from '@trainyard/kernel';
import {
  FREEZE_OVERRIDE_VIEW_STATUSES,
  FreezeOverrideView,
  OVERRIDE_REVIEW_VIEW_STATUSES,
  OverrideReviewView,
  type FreezeOverrideRow,
  type OverrideReviewRow,
} from '@trainyard/scheduling-read-models';
import { OverrideReadSide } from '../projections/override-read-side';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

/** Filters as the caller gave them, with the names its transport uses for errors. */
export interface OverrideFilter {
  readonly status?: string;
  readonly freezeId?: string;
  readonly page?: number;
  readonly pageSize?: number;
}

export interface QueryFieldNames {
  readonly status: string;
  readonly page: string;
  readonly pageSize: string;
}

const oneOf = <T extends string>(
  field: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined => {
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new ValidationError(field, `${field} must be one of ${allowed.join(', ')}`);
  return value as T;
};

const paging = (filter: OverrideFilter, names: QueryFieldNames) => {
  const page = filter.page ?? 1;
  const pageSize = filter.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(page) || page < 1)
    throw new ValidationError(names.page, `${names.page} must be a whole number from 1`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw new ValidationError(
      names.pageSize,
      `${names.pageSize} must be a whole number 1..${MAX_PAGE_SIZE}`,
    );
  return { page, pageSize };
};

/** Override read-model queries shared by the gRPC and REST adapters and the sweeper. */
@Injectable()
export class OverrideQueries {
  constructor(private readonly readSide: OverrideReadSide) {}

  private get manager() {
    return this.readSide.dataSource.manager;
  }

  async getOverride(overrideId: string): Promise<FreezeOverrideRow> {
    await this.readSide.catchUp();
    const row = await this.manager.findOneBy(FreezeOverrideView, { overrideId });
    if (!row) throw new NotFoundError('freeze override', overrideId);
    return row;
  }

  async getReview(overrideId: string): Promise<OverrideReviewRow> {
    await this.readSide.catchUp();
    const row = await this.manager.findOneBy(OverrideReviewView, { overrideId });
    if (!row) throw new NotFoundError('override review', overrideId);
    return row;
  }

  async listOverrides(
    filter: OverrideFilter,
    names: QueryFieldNames,
  ): Promise<Page<FreezeOverrideRow>> {
    const { page, pageSize } = paging(filter, names);
    const where: FindOptionsWhere<FreezeOverrideView> = {};
    const status = oneOf(names.status, filter.status, FREEZE_OVERRIDE_VIEW_STATUSES);
    if (status) where.status = status;
    if (filter.freezeId) where.freezeId = filter.freezeId;
    await this.readSide.catchUp();
    const [items, total] = await this.manager.findAndCount(FreezeOverrideView, {
      where,
      order: { requestedAt: 'DESC', overrideId: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items, page, pageSize, total };
  }

  async listReviews(
    filter: OverrideFilter,
    names: QueryFieldNames,
  ): Promise<Page<OverrideReviewRow>> {
    const { page, pageSize } = paging(filter, names);
    const where: FindOptionsWhere<OverrideReviewView> = {};
    const status = oneOf(names.status, filter.status, OVERRIDE_REVIEW_VIEW_STATUSES);
    if (status) where.status = status;
    await this.readSide.catchUp();
    const [items, total] = await this.manager.findAndCount(OverrideReviewView, {
      where,
      order: { dueAt: 'ASC', overrideId: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items, page, pageSize, total };
  }

  /** Overrides still pending or active whose `to` has passed at `now`: what the sweeper expires. */
  async pastTheirEnd(now: string, limit = 100): Promise<string[]> {
    const rows = await this.manager.find(FreezeOverrideView, {
      select: { overrideId: true },
      where: { status: In(['requested', 'active']), to: LessThanOrEqual(now) },
      order: { to: 'ASC' },
      take: limit,
    });
    return rows.map((r) => r.overrideId);
  }
}
