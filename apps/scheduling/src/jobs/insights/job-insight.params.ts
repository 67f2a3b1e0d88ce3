// The job-insight queries' parameters, checked before any read: each refusal names the caller's
// field (gRPC and REST spell them differently, see InsightFieldNames).
import { ValidationError } from '@trainyard/kernel';
import { JOB_NAME, MAX_ZOMBIE_DAYS } from '@trainyard/scheduling-domain';

export const INSIGHT_MAX_PAGE_SIZE = 200;
export const INSIGHT_DEFAULT_WINDOW_DAYS = 30;
const TEAM = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
// Run ids are the runtime's (derived from `<job>@<nominal time>`): printable, bounded.
const RUN_ID = /^[\x21-\x7e]{1,300}$/;

/** How each transport names the fields, so a refusal names the caller's field. */
export interface InsightFieldNames {
  readonly job: string;
  readonly team: string;
  readonly runId: string;
  readonly sinceDays: string;
  readonly days: string;
  readonly page: string;
  readonly pageSize: string;
}

export function jobParam(field: string, value: string | undefined): string {
  if (value === undefined || value === '')
    throw new ValidationError(field, `${field} is required.`);
  if (value.length > 200 || !JOB_NAME.test(value))
    throw new ValidationError(
      field,
      `${field} must be a job name <team>.<system>.<job> (lowercase letters, digits, single hyphens).`,
    );
  return value;
}

export function teamParam(field: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length > 100 || !TEAM.test(value))
    throw new ValidationError(
      field,
      `${field} must be a team name of lowercase letters, digits and hyphens.`,
    );
  return value;
}

export function runIdParam(field: string, value: string | undefined): string {
  if (value === undefined || value === '')
    throw new ValidationError(field, `${field} is required.`);
  if (!RUN_ID.test(value))
    throw new ValidationError(
      field,
      `${field} must be 1 to 300 printable ASCII characters without spaces.`,
    );
  return value;
}

export function daysParam(field: string, value: number | undefined, fallback: number): number {
  const days = value ?? fallback;
  if (!Number.isSafeInteger(days) || days < 1 || days > MAX_ZOMBIE_DAYS)
    throw new ValidationError(
      field,
      `${field} must be a whole number of days from 1 to ${MAX_ZOMBIE_DAYS}.`,
    );
  return days;
}

export function pagingParam(names: InsightFieldNames, page?: number, pageSize?: number) {
  const p = page ?? 1;
  const size = pageSize ?? 50;
  if (!Number.isSafeInteger(p) || p < 1 || p > 1_000_000)
    throw new ValidationError(
      names.page,
      `${names.page} must be a whole number from 1 to 1000000.`,
    );
  if (!Number.isSafeInteger(size) || size < 1 || size > INSIGHT_MAX_PAGE_SIZE)
    throw new ValidationError(
      names.pageSize,
      `${names.pageSize} must be a whole number from 1 to ${INSIGHT_MAX_PAGE_SIZE}.`,
    );
  return { page: p, pageSize: size };
}
