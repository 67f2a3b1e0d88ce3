import type { OverrideInstantV1, OverrideScopeV1 } from './freeze-override-values.v1';

/** Someone asked to lift a freeze for a scope and a time box. */
export interface FreezeOverrideRequestedV1 {
  readonly overrideId: string;
  readonly freezeId: string;
  readonly scope: OverrideScopeV1;
  readonly from: OverrideInstantV1;
  readonly to: OverrideInstantV1;
  readonly reason: string;
  readonly requestedBy: string;
  readonly requestedAt: OverrideInstantV1;
  /** Distinct approvals by others than the requester it needs, and the policy rule that said so. */
  readonly requiredApprovals: number;
  readonly approvalRule: string;
  readonly policyVersion: string;
}
