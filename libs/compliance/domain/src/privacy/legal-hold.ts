import { ValidationError } from '@trainyard/kernel';

/**
 * What a legal hold covers (issue 13 item 6): everything about one workload or release, one data
 * subject, or every record of a time range. While a hold covers a record it is neither deleted,
 * archived nor erased.
 */
export type LegalHoldScope =
  | { readonly kind: 'workload'; readonly id: string }
  | { readonly kind: 'release'; readonly id: string }
  | { readonly kind: 'person'; readonly id: string }
  | { readonly kind: 'time-range'; readonly from: string; readonly to: string };

export const LEGAL_HOLD_SCOPE_KINDS = ['workload', 'release', 'person', 'time-range'] as const;

export interface LegalHold {
  readonly holdId: string;
  readonly scope: LegalHoldScope;
  readonly reason: string;
  readonly placedBy: string;
  readonly placedAt: string;
  readonly releasedAt?: string;
  readonly releasedBy?: string;
}

/** A record as retention and erasure see it: when, and what it mentions. */
export interface RecordFootprint {
  readonly recordedAt: string;
  readonly workloadIds: readonly string[];
  readonly releaseIds: readonly string[];
  readonly subjectIds: readonly string[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

export const assertHoldId = (field: string, value: unknown): string => {
  if (typeof value !== 'string' || value === '')
    throw new ValidationError(field, `${field} is required`);
  if (!ID.test(value))
    throw new ValidationError(
      field,
      `${field} must be 1–128 characters of A-Z a-z 0-9 . _ : @ - starting with a letter or digit`,
    );
  return value;
};

const instant = (field: string, value: unknown): string => {
  if (typeof value !== 'string' || value === '')
    throw new ValidationError(field, `${field} is required`);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value))
    throw new ValidationError(
      field,
      `${field} must be an ISO-8601 instant with a zone, e.g. 2031-01-01T00:00:00Z`,
    );
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ValidationError(field, `${field} is not a real instant`);
  return new Date(ms).toISOString();
};

/** A scope as an API gives it; `field` prefixes the error's field (`scope.kind`, `scope.id`, …). */
export const parseHoldScope = (
  field: string,
  input: { kind?: unknown; id?: unknown; from?: unknown; to?: unknown },
): LegalHoldScope => {
  const kind = input.kind;
  if (typeof kind !== 'string' || kind === '')
    throw new ValidationError(`${field}.kind`, `${field}.kind is required`);
  switch (kind) {
    case 'workload':
    case 'release':
    case 'person':
      return { kind, id: assertHoldId(`${field}.id`, input.id) };
    case 'time-range': {
      const from = instant(`${field}.from`, input.from);
      const to = instant(`${field}.to`, input.to);
      if (from >= to)
        throw new ValidationError(`${field}.to`, `${field}.to must be after ${field}.from`);
      return { kind, from, to };
    }
    default:
      throw new ValidationError(
        `${field}.kind`,
        `${field}.kind must be one of ${LEGAL_HOLD_SCOPE_KINDS.join(', ')}; got ${JSON.stringify(kind).slice(0, 40)}`,
      );
  }
};

export const describeScope = (scope: LegalHoldScope): string =>
  scope.kind === 'time-range'
    ? `time range ${scope.from}..${scope.to}`
    : `${scope.kind} ${scope.id}`;

/** Whether a hold in force covers a record. */
export const holdCovers = (hold: LegalHold, record: RecordFootprint): boolean => {
  if (hold.releasedAt !== undefined) return false;
  const scope = hold.scope;
  switch (scope.kind) {
    case 'workload':
      return record.workloadIds.includes(scope.id);
    case 'release':
      return record.releaseIds.includes(scope.id);
    case 'person':
      return record.subjectIds.includes(scope.id);
    case 'time-range': {
      const at = Date.parse(record.recordedAt);
      return at >= Date.parse(scope.from) && at < Date.parse(scope.to);
    }
  }
};

/** The holds in force covering any of the records, each once, in the order given. */
export const holdsCovering = (
  holds: readonly LegalHold[],
  records: readonly RecordFootprint[],
): LegalHold[] => holds.filter((hold) => records.some((record) => holdCovers(hold, record)));
