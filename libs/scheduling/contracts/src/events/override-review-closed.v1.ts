import type { OverrideInstantV1 } from './freeze-override-values.v1';

/** The review of an override was closed by someone other than its requester. */
export interface OverrideReviewClosedV1 {
  readonly overrideId: string;
  /** `justified`, `unjustified` or `action-required`. */
  readonly outcome: string;
  readonly notes: string;
  readonly closedBy: string;
  readonly closedAt: OverrideInstantV1;
  readonly late: boolean;
}
