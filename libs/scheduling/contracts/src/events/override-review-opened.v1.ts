import type { OverrideInstantV1 } from './freeze-override-values.v1';

/** An override that was active ended; its review must be closed by `dueAt`. */
export interface OverrideReviewOpenedV1 {
  readonly overrideId: string;
  readonly freezeId: string;
  readonly requestedBy: string;
  /** `expired` or `revoked`. */
  readonly trigger: string;
  readonly openedAt: OverrideInstantV1;
  readonly dueAt: OverrideInstantV1;
  readonly useCount: number;
}
