import type { OverrideInstantV1 } from './freeze-override-values.v1';

/** A pending request was turned down. */
export interface FreezeOverrideRejectedV1 {
  readonly overrideId: string;
  readonly rejectedBy: string;
  readonly rejectedAt: OverrideInstantV1;
  readonly reason: string;
}
