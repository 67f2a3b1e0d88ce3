import type { OverrideInstantV1 } from './freeze-override-values.v1';

/** A pending or active override was withdrawn; `wasActive`: a review item follows. */
export interface FreezeOverrideRevokedV1 {
  readonly overrideId: string;
  readonly revokedBy: string;
  readonly revokedAt: OverrideInstantV1;
  readonly reason: string;
  readonly wasActive: boolean;
}
