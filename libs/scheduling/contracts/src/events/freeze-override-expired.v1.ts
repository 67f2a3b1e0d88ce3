import type { OverrideInstantV1 } from './freeze-override-values.v1';

/** The override reached `to` (`expiredAt`); recorded by the sweeper at `recordedAt`. */
export interface FreezeOverrideExpiredV1 {
  readonly overrideId: string;
  readonly expiredAt: OverrideInstantV1;
  readonly recordedAt: OverrideInstantV1;
  readonly wasActive: boolean;
}
