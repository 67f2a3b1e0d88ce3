import { ValidationError } from '@trainyard/kernel';
import { holdsCovering, type LegalHold, type RecordFootprint } from './legal-hold';

/**
 * Retention per record type (issue 13 item 6): after `archiveAfterDays` a record may leave the live
 * store for an archive file (the log still verifies across it); after `deleteAfterDays` it may be
 * deleted, or for personal data its subject key erased. A legal hold covering the record suspends
 * both. Absent periods mean "keep".
 */
export interface RetentionPeriod {
  readonly archiveAfterDays?: number;
  readonly deleteAfterDays?: number;
}

export type RetentionPolicy = Readonly<Record<string, RetentionPeriod>>;

/**
 * SOX-style default: events archived after 2 years, ledger and personal data kept 7 years (the
 * ledger's rows leave the live table for archive files after 2 years); policy evaluations' read
 * rows 7 years; the webhook's delivered and dead-lettered deliveries 1 year.
 */
export const DEFAULT_RETENTION_POLICY: RetentionPolicy = {
  'event-log': { archiveAfterDays: 730 },
  'ledger-entry': { archiveAfterDays: 730, deleteAfterDays: 2557 },
  'policy-evaluation': { deleteAfterDays: 2557 },
  'webhook-delivery': { deleteAfterDays: 365 },
  'personal-data': { deleteAfterDays: 2557 },
  'evidence-bundle': { deleteAfterDays: 2557 },
};

export type RetentionAction = 'keep' | 'archive' | 'delete';

export interface RetentionDecision {
  readonly action: RetentionAction;
  /** One sentence: which period, or which holds. */
  readonly reason: string;
  /** Holds that suspend what the periods would allow. */
  readonly heldBy: readonly string[];
}

const DAY_MS = 86_400_000;

/** Parses and checks a policy (config); errors name the record type and field. */
export const parseRetentionPolicy = (input: unknown): RetentionPolicy => {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new ValidationError(
      'retention',
      'the retention policy must be an object keyed by record type',
    );
  const policy: Record<string, RetentionPeriod> = {};
  for (const [recordType, raw] of Object.entries(input)) {
    if (!/^[a-z][a-z0-9-]{0,63}$/.test(recordType))
      throw new ValidationError(
        'retention',
        `record type ${JSON.stringify(recordType)} must be kebab-case`,
      );
    if (typeof raw !== 'object' || raw === null)
      throw new ValidationError(
        `retention.${recordType}`,
        `retention.${recordType} must be an object`,
      );
    const period: { archiveAfterDays?: number; deleteAfterDays?: number } = {};
    for (const key of ['archiveAfterDays', 'deleteAfterDays'] as const) {
      const value = (raw as Record<string, unknown>)[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 36_500)
        throw new ValidationError(
          `retention.${recordType}.${key}`,
          `retention.${recordType}.${key} must be a whole number of days, 1..36500`,
        );
      period[key] = value;
    }
    if (
      period.archiveAfterDays !== undefined &&
      period.deleteAfterDays !== undefined &&
      period.deleteAfterDays < period.archiveAfterDays
    )
      throw new ValidationError(
        `retention.${recordType}.deleteAfterDays`,
        `retention.${recordType}.deleteAfterDays must not be before archiveAfterDays`,
      );
    policy[recordType] = period;
  }
  return policy;
};

/** What may happen to one record now. */
export const decideRetention = (
  recordType: string,
  record: RecordFootprint,
  policy: RetentionPolicy,
  holds: readonly LegalHold[],
  now: string,
): RetentionDecision => {
  const period = policy[recordType];
  if (!period)
    return { action: 'keep', reason: `no retention period for ${recordType}: kept`, heldBy: [] };
  const ageDays = (Date.parse(now) - Date.parse(record.recordedAt)) / DAY_MS;
  const due: RetentionAction =
    period.deleteAfterDays !== undefined && ageDays >= period.deleteAfterDays
      ? 'delete'
      : period.archiveAfterDays !== undefined && ageDays >= period.archiveAfterDays
        ? 'archive'
        : 'keep';
  if (due === 'keep')
    return {
      action: 'keep',
      reason: `${recordType} is ${Math.floor(ageDays)} days old: within its retention period`,
      heldBy: [],
    };
  const held = holdsCovering(holds, [record]);
  if (held.length > 0)
    return {
      action: 'keep',
      reason: `${due} suspended by legal hold ${held.map((h) => h.holdId).join(', ')}`,
      heldBy: held.map((h) => h.holdId),
    };
  const days = due === 'delete' ? period.deleteAfterDays : period.archiveAfterDays;
  return { action: due, reason: `${recordType} is older than ${days} days: ${due}`, heldBy: [] };
};
