import type { CalendarScope } from '../calendar/calendar-entry';
import type { OverrideReviewOutcome } from './freeze-override.commands';

export interface OverrideApproval {
  readonly approvedBy: string;
  readonly approvedAt: string;
}

export interface OverrideUse {
  readonly deploymentId: string;
  readonly start: string;
  readonly end: string;
  readonly scope: CalendarScope;
}

export interface OverrideReview {
  readonly status: 'open' | 'closed';
  readonly trigger: 'expired' | 'revoked';
  readonly openedAt: string;
  readonly dueAt: string;
  readonly outcome?: OverrideReviewOutcome;
  readonly notes?: string;
  readonly closedBy?: string;
  readonly closedAt?: string;
}

/**
 * What decides whether an override lifts its freeze at an instant. The aggregate state has these
 * fields, and so can a read-model row, so placement can ask `isOverrideActive` of either.
 */
export interface OverrideTerms {
  readonly overrideId: string;
  readonly freezeId: string;
  readonly scope: CalendarScope;
  /** UTC instants, [from, to). */
  readonly from: string;
  readonly to: string;
  /** When the Nth distinct approval arrived; absent or null: never active. */
  readonly activatedAt?: string | null;
  /** When it was revoked; absent or null: not revoked. */
  readonly revokedAt?: string | null;
}

export interface TrackedOverride extends OverrideTerms {
  readonly reason: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly requiredApprovals: number;
  readonly approvalRule: string;
  readonly reviewDueHours: number;
  readonly policyVersion: string;
  /** Distinct, none by the requester. */
  readonly approvals: readonly OverrideApproval[];
  readonly uses: readonly OverrideUse[];
  readonly review?: OverrideReview;
}

export type FreezeOverride =
  | { readonly status: 'None' }
  | (TrackedOverride & { readonly status: 'Requested' })
  | (TrackedOverride & { readonly status: 'Active'; readonly activatedAt: string })
  | (TrackedOverride & { readonly status: 'Rejected' })
  | (TrackedOverride & { readonly status: 'Revoked'; readonly revokedAt: string })
  | (TrackedOverride & { readonly status: 'Expired' });

export const initialFreezeOverride = (): FreezeOverride => ({ status: 'None' });
