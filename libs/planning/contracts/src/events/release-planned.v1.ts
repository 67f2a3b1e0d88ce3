import type { InstantV1 } from './planning-values.v1';

/** A release was opened on a train for a window. Key `release-<releaseId>`. */
export interface ReleasePlannedV1 {
  readonly releaseId: string;
  readonly trainId: string;
  readonly window: { readonly start: InstantV1; readonly end: InstantV1 };
  readonly plannedBy: string;
  readonly plannedAt: InstantV1;
}
