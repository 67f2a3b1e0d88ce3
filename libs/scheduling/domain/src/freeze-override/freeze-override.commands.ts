import type { Command } from '@trainyard/kernel';
import type { CalendarScope } from '../calendar/calendar-entry';

/** `requestedBy` is `metadata.actor`; `from` and `to` are RFC 3339 instants, `to` after `from`. */
export interface RequestFreezeOverrideData {
  readonly overrideId: string;
  /** The freeze (a calendar entry of kind `freeze`) this override lifts. */
  readonly freezeId: string;
  /** Who it lifts the freeze for; at least one dimension must be named. */
  readonly scope: CalendarScope;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

export type RequestFreezeOverride = Command<'RequestFreezeOverride', RequestFreezeOverrideData>;
/** The approver is `metadata.actor`. */
export type ApproveFreezeOverride = Command<
  'ApproveFreezeOverride',
  { readonly overrideId: string }
>;
/** The reason comes from `metadata.reason` and is required. */
export type RejectFreezeOverride = Command<'RejectFreezeOverride', { readonly overrideId: string }>;
/** The reason comes from `metadata.reason` and is required. */
export type RevokeFreezeOverride = Command<'RevokeFreezeOverride', { readonly overrideId: string }>;

export interface RecordFreezeOverrideUseData {
  readonly overrideId: string;
  readonly deploymentId: string;
  /** RFC 3339 instants of the deployment's slot, [start, end). */
  readonly start: string;
  readonly end: string;
  /** What the deployment touches: its train, team, environment and components. */
  readonly scope: CalendarScope;
}
export type RecordFreezeOverrideUse = Command<
  'RecordFreezeOverrideUse',
  RecordFreezeOverrideUseData
>;

/** Issued by the sweeper once `to` has passed; the fact only, the override stopped at `to`. */
export type ExpireFreezeOverride = Command<'ExpireFreezeOverride', { readonly overrideId: string }>;

export type OverrideReviewOutcome = 'justified' | 'unjustified' | 'action-required';
export const OVERRIDE_REVIEW_OUTCOMES: readonly OverrideReviewOutcome[] = [
  'justified',
  'unjustified',
  'action-required',
];

export type CloseOverrideReview = Command<
  'CloseOverrideReview',
  {
    readonly overrideId: string;
    readonly outcome: OverrideReviewOutcome;
    /** The reviewer's findings: required. */
    readonly notes: string;
  }
>;

export type FreezeOverrideCommand =
  | RequestFreezeOverride
  | ApproveFreezeOverride
  | RejectFreezeOverride
  | RevokeFreezeOverride
  | RecordFreezeOverrideUse
  | ExpireFreezeOverride
  | CloseOverrideReview;
