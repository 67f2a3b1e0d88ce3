import type { OverrideInstantV1 } from './freeze-override-values.v1';

/** One more distinct approval (never the requester's). */
export interface FreezeOverrideApprovedV1 {
  readonly overrideId: string;
  readonly approvedBy: string;
  readonly approvedAt: OverrideInstantV1;
  readonly approvalCount: number;
  readonly requiredApprovals: number;
}
