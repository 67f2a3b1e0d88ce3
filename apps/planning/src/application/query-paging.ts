import { ValidationError } from '@trainyard/kernel';
import type {
  ReleaseViewStatus,
  ScopeItemRow,
  ReleaseRow,
  WorkloadViewState,
} from '@trainyard/planning-read-models';

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

export const oneOf = <T extends string>(
  field: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined => {
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new ValidationError(field, `${field} must be one of ${allowed.join(', ')}; got ${value}`);
  return value as T;
};

export const paging = (
  request: PageRequest,
  names: FieldNames,
): { page: number; pageSize: number } => {
  const page = request.page ?? 1;
  const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(page) || page < 1)
    throw new ValidationError(
      names.page,
      `${names.page} must be an integer 1..${Number.MAX_SAFE_INTEGER}`,
    );
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw new ValidationError(
      names.pageSize,
      `${names.pageSize} must be an integer 1..${MAX_PAGE_SIZE}`,
    );
  return { page, pageSize };
};
