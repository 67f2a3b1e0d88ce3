import type { DomainEvent } from '@trainyard/kernel';
import type { CalendarScope } from '../calendar/calendar-entry';
import type { OverrideReviewOutcome } from './freeze-override.commands';

export type FreezeOverrideRequested = DomainEvent<
  'FreezeOverrideRequested',
  {
    readonly overrideId: string;
    readonly freezeId: string;
    readonly scope: CalendarScope;
    /** UTC, as normalised from the request. */
    readonly from: string;
    readonly to: string;
    readonly reason: string;
    readonly requestedBy: string;
    readonly requestedAt: string;
    /** From the policy at request time: a later policy does not change a pending override. */
    readonly requiredApprovals: number;
    readonly approvalRule: string;
    readonly reviewDueHours: number;
    readonly policyVersion: string;
  }
>;

export type FreezeOverrideApproved = DomainEvent<
  'FreezeOverrideApproved',
  {
    readonly overrideId: string;
    readonly approvedBy: string;
    readonly approvedAt: string;
    /** Distinct approvals so far, this one included. */
    readonly approvalCount: number;
    readonly requiredApprovals: number;
  }
>;

/** The Nth distinct approval arrived: the override lifts its freeze from now until `to`. */
export type FreezeOverrideActivated = DomainEvent<
  'FreezeOverrideActivated',
  {
    readonly overrideId: string;
    readonly freezeId: string;
    readonly scope: CalendarScope;
    readonly from: string;
    readonly to: string;
    readonly activatedAt: string;
    readonly approvers: readonly string[];
  }
>;

export type FreezeOverrideRejected = DomainEvent<
  'FreezeOverrideRejected',
  {
    readonly overrideId: string;
    readonly rejectedBy: string;
    readonly rejectedAt: string;
    readonly reason: string;
  }
>;

export type FreezeOverrideRevoked = DomainEvent<
  'FreezeOverrideRevoked',
  {
    readonly overrideId: string;
    readonly revokedBy: string;
    readonly revokedAt: string;
    readonly reason: string;
    /** It had been active: a review is opened with it. */
    readonly wasActive: boolean;
  }
>;

/** One deployment went into the freeze under this override. */
export type FreezeOverrideUsed = DomainEvent<
  'FreezeOverrideUsed',
  {
    readonly overrideId: string;
    readonly freezeId: string;
    readonly deploymentId: string;
    readonly start: string;
    readonly end: string;
    readonly scope: CalendarScope;
    readonly usedBy: string;
    readonly recordedAt: string;
  }
>;

export type FreezeOverrideExpired = DomainEvent<
  'FreezeOverrideExpired',
  {
    readonly overrideId: string;
    /** The override's `to`: when it stopped, whenever the sweeper noticed. */
    readonly expiredAt: string;
    readonly recordedAt: string;
    readonly wasActive: boolean;
  }
>;

/** Every override that was active leaves a review item that must be closed. */
export type OverrideReviewOpened = DomainEvent<
  'OverrideReviewOpened',
  {
    readonly overrideId: string;
    readonly freezeId: string;
    readonly requestedBy: string;
    readonly trigger: 'expired' | 'revoked';
    readonly openedAt: string;
    readonly dueAt: string;
    readonly useCount: number;
  }
>;

export type OverrideReviewClosed = DomainEvent<
  'OverrideReviewClosed',
  {
    readonly overrideId: string;
    readonly outcome: OverrideReviewOutcome;
    readonly notes: string;
    readonly closedBy: string;
    readonly closedAt: string;
    /** Closed after its due time. */
    readonly late: boolean;
  }
>;

export type FreezeOverrideEvent =
  | FreezeOverrideRequested
  | FreezeOverrideApproved
  | FreezeOverrideActivated
  | FreezeOverrideRejected
  | FreezeOverrideRevoked
  | FreezeOverrideUsed
  | FreezeOverrideExpired
  | OverrideReviewOpened
  | OverrideReviewClosed;

export const FREEZE_OVERRIDE_EVENT_TYPES: readonly FreezeOverrideEvent['type'][] = [
  'FreezeOverrideRequested',
  'FreezeOverrideApproved',
  'FreezeOverrideActivated',
  'FreezeOverrideRejected',
  'FreezeOverrideRevoked',
  'FreezeOverrideUsed',
  'FreezeOverrideExpired',
  'OverrideReviewOpened',
  'OverrideReviewClosed',
];
