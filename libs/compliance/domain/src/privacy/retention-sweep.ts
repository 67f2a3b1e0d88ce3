import {
  RuleViolation,
  ValidationError,
  assertMetadata,
  type Command,
  type DomainEvent,
} from '@trainyard/kernel';
import { describeScope, type LegalHold } from './legal-hold';
import type { RetentionPolicy } from './retention';

/**
 * The retention sweep's facts (issue 13 item 6; docs/adr/0013): what a sweep removed from the
 * compliance read models and ledger, per record type, with the cut-off it applied and the rows a
 * legal hold kept. Recorded on the privacy register stream in the same transaction as the
 * deletions, at the register's version the sweep read its holds from, so a hold placed during a
 * sweep makes the sweep's append collide and roll back whole (nothing is deleted under a hold).
 */
export interface RetentionHoldExclusion {
  readonly holdId: string;
  /** Rows of this record type the hold kept, that the period would have removed. */
  readonly records: number;
}

export interface RetentionSweepOutcome {
  /** `ledger-entry`, `policy-evaluation`, `webhook-delivery`, … */
  readonly recordType: string;
  readonly action: 'purged' | 'archived';
  /** Rows recorded before this instant were due (the period, counted back from the sweep). */
  readonly cutoff: string;
  readonly count: number;
  /**
   * The ids of the `count` rows removed. Recorded so a read model rebuilt from the log (the
   * evaluations are) deletes them again instead of restoring them (ADR 0007). Events recorded
   * before this field have none: a rebuild restores their rows until the next pass.
   */
  readonly recordIds?: readonly string[];
  readonly heldBack: readonly RetentionHoldExclusion[];
  /** For `archived`: the archive file, its SHA-256 and the RFC 6962 root of its lines. */
  readonly archive?: {
    readonly file: string;
    readonly sha256: string;
    readonly entriesRoot: string;
    readonly firstRecordedAt: string;
    readonly lastRecordedAt: string;
  };
}

export type RecordRetentionSweep = Command<
  'RecordRetentionSweep',
  {
    readonly sweepId: string;
    readonly outcomes: readonly RetentionSweepOutcome[];
    /** The hold ids in force the sweep honoured (read with the register's version). */
    readonly holdsApplied: readonly string[];
  }
>;

interface SweepFact {
  readonly sweepId: string;
  readonly recordType: string;
  readonly cutoff: string;
  readonly count: number;
  /** The rows removed (see RetentionSweepOutcome.recordIds); absent on events recorded before it. */
  readonly recordIds?: readonly string[];
  readonly heldBack: readonly RetentionHoldExclusion[];
}

export type RecordsPurged = DomainEvent<
  'RecordsPurged',
  SweepFact & { readonly purgedBy: string; readonly purgedAt: string }
>;
export type RecordsArchived = DomainEvent<
  'RecordsArchived',
  SweepFact & {
    readonly file: string;
    readonly sha256: string;
    readonly entriesRoot: string;
    readonly firstRecordedAt: string;
    readonly lastRecordedAt: string;
    readonly archivedBy: string;
    readonly archivedAt: string;
  }
>;
export type RetentionEvent = RecordsPurged | RecordsArchived;

const DAY_MS = 86_400_000;

/**
 * The instant before which records of `recordType` are due for `action` at `now`, or undefined
 * when the policy sets no such period (kept).
 */
export const retentionCutoff = (
  policy: RetentionPolicy,
  recordType: string,
  action: 'archive' | 'delete',
  now: string,
): string | undefined => {
  const days =
    action === 'archive'
      ? policy[recordType]?.archiveAfterDays
      : policy[recordType]?.deleteAfterDays;
  return days === undefined ? undefined : new Date(Date.parse(now) - days * DAY_MS).toISOString();
};

/**
 * The sweep's outcomes as events: one per record type and action that removed something, with
 * the rows legal holds kept (a pass that removed nothing records nothing). Refused when a hold in force is not among
 * those the sweep honoured (it was placed after the sweep read the register).
 */
export const recordRetentionSweep = (
  command: RecordRetentionSweep,
  holdsInForce: readonly LegalHold[],
): RetentionEvent[] => {
  assertMetadata(command.metadata);
  const { sweepId, outcomes, holdsApplied } = command.data;
  const missed = holdsInForce.filter((h) => !holdsApplied.includes(h.holdId));
  if (missed.length > 0)
    throw new RuleViolation(
      'privacy.legal-hold',
      `the retention sweep did not see legal hold ${missed
        .map((h) => `${h.holdId} (${describeScope(h.scope)})`)
        .join(', ')}: sweep again`,
    );
  const events: RetentionEvent[] = [];
  for (const outcome of outcomes) {
    if (!Number.isInteger(outcome.count) || outcome.count < 0)
      throw new ValidationError('count', `count must be a whole number, got ${outcome.count}`);
    // A pass that removed nothing of a type records nothing (held rows are reported by the
    // sweep's answer; recording them every pass would grow the register for no new fact).
    if (outcome.count === 0) continue;
    if (outcome.recordIds && outcome.recordIds.length !== outcome.count)
      throw new ValidationError(
        'recordIds',
        `${outcome.recordType}: ${outcome.recordIds.length} record ids for a count of ${outcome.count}`,
      );
    const fact: SweepFact = {
      sweepId,
      recordType: outcome.recordType,
      cutoff: outcome.cutoff,
      count: outcome.count,
      ...(outcome.recordIds ? { recordIds: [...outcome.recordIds] } : {}),
      heldBack: outcome.heldBack.map((h) => ({ ...h })),
    };
    if (outcome.action === 'purged') {
      events.push({
        type: 'RecordsPurged',
        data: { ...fact, purgedBy: command.metadata.actor, purgedAt: command.metadata.now },
      });
      continue;
    }
    if (!outcome.archive)
      throw new ValidationError('archive', `archived ${outcome.recordType} needs its archive file`);
    events.push({
      type: 'RecordsArchived',
      data: {
        ...fact,
        ...outcome.archive,
        archivedBy: command.metadata.actor,
        archivedAt: command.metadata.now,
      },
    });
  }
  return events;
};
