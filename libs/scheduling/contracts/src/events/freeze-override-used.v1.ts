import type { OverrideInstantV1, OverrideScopeV1 } from './freeze-override-values.v1';

/** A deployment goes into the freeze under the override. */
export interface FreezeOverrideUsedV1 {
  readonly overrideId: string;
  readonly freezeId: string;
  readonly deploymentId: string;
  readonly start: OverrideInstantV1;
  readonly end: OverrideInstantV1;
  readonly scope: OverrideScopeV1;
  readonly usedBy: string;
  readonly recordedAt: OverrideInstantV1;
}
