import { Injectable } from '@nestjs/common';
import { NotFoundError, ValidationError } from '@trainyard/kernel';
import {
  EvaluationView,
  PolicyVersionView,
  PolicyView,
  type EvaluationRow,
  type PolicyRow,
  type PolicyVersionRow,
} from '@trainyard/compliance-read-models';
import { ComplianceReadSide } from '../projections/compliance-read-side';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;
export const EVALUATION_RESULTS = ['allowed', 'blocked', 'warned'] as const;

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

export interface EvaluationFilter extends PageRequest {
  readonly subjectType?: string;
  readonly subjectId?: string;
  readonly result?: string;
}

const paging = (request: PageRequest): { page: number; pageSize: number } => {
  const page = request.page ?? 1;
  const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(page) || page < 1)
    throw new ValidationError('page', 'page must be a whole number from 1.');
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw new ValidationError(
      'pageSize',
      `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}.`,
    );
  return { page, pageSize };
};

/** Read-model queries; each waits for this instance's own writes first (read-your-writes). */
@Injectable()
export class ComplianceQueries {
  constructor(private readonly readSide: ComplianceReadSide) {}

  async policies(request: PageRequest): Promise<Page<PolicyRow>> {
    const { page, pageSize } = paging(request);
    await this.readSide.catchUp();
    const [items, total] = await this.readSide.dataSource.getRepository(PolicyView).findAndCount({
      order: { policyId: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items, page, pageSize, total };
  }

  async policy(policyId: string): Promise<{ policy: PolicyRow; versions: PolicyVersionRow[] }> {
    await this.readSide.catchUp();
    const policy = await this.readSide.dataSource.getRepository(PolicyView).findOneBy({ policyId });
    if (!policy) throw new NotFoundError('policy', policyId);
    const versions = await this.readSide.dataSource
      .getRepository(PolicyVersionView)
      .find({ where: { policyId }, order: { proposedAt: 'ASC', version: 'ASC' } });
    return { policy, versions };
  }

  async versions(policyId: string, request: PageRequest): Promise<Page<PolicyVersionRow>> {
    const { page, pageSize } = paging(request);
    await this.readSide.catchUp();
    const exists = await this.readSide.dataSource.getRepository(PolicyView).existsBy({ policyId });
    if (!exists) throw new NotFoundError('policy', policyId);
    const [items, total] = await this.readSide.dataSource
      .getRepository(PolicyVersionView)
      .findAndCount({
        where: { policyId },
        order: { proposedAt: 'ASC', version: 'ASC' },
        skip: (page - 1) * pageSize,
        take: pageSize,
      });
    return { items, page, pageSize, total };
  }

  async activePolicies(): Promise<PolicyRow[]> {
    await this.readSide.catchUp();
    const rows = await this.readSide.dataSource
      .getRepository(PolicyView)
      .find({ order: { policyId: 'ASC' } });
    return rows.filter((r) => r.activeVersion !== null);
  }

  async evaluations(filter: EvaluationFilter): Promise<Page<EvaluationRow>> {
    const { page, pageSize } = paging(filter);
    if (
      filter.result !== undefined &&
      !(EVALUATION_RESULTS as readonly string[]).includes(filter.result)
    )
      throw new ValidationError(
        'result',
        `result must be one of ${EVALUATION_RESULTS.join(', ')}.`,
      );
    await this.readSide.catchUp();
    const [items, total] = await this.readSide.dataSource
      .getRepository(EvaluationView)
      .findAndCount({
        where: {
          ...(filter.subjectType !== undefined ? { subjectType: filter.subjectType } : {}),
          ...(filter.subjectId !== undefined ? { subjectId: filter.subjectId } : {}),
          ...(filter.result !== undefined ? { result: filter.result } : {}),
        },
        order: { evaluatedAt: 'DESC', evaluationId: 'ASC' },
        skip: (page - 1) * pageSize,
        take: pageSize,
      });
    return { items, page, pageSize, total };
  }

  async evaluation(evaluationId: string): Promise<EvaluationRow> {
    await this.readSide.catchUp();
    const row = await this.readSide.dataSource
      .getRepository(EvaluationView)
      .findOneBy({ evaluationId });
    if (!row) throw new NotFoundError('evaluation', evaluationId);
    return row;
  }
}
