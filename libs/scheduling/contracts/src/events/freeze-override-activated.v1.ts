import type { OverrideInstantV1, OverrideScopeV1 } from './freeze-override-values.v1';

/** The Nth approval arrived: the freeze is lifted for the scope from now until `to`. */
export interface FreezeOverrideActivatedV1 {
  readonly overrideId: string;
  readonly freezeId: string;
  readonly scope: OverrideScopeV1;
  readonly from: OverrideInstantV1;
  readonly to: OverrideInstantV1;
  readonly activatedAt: OverrideInstantV1;
  readonly approvers: readonly string[];
}
