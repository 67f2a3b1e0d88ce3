import type { InstantV1 } from './planning-values.v1';

/** A release was cancelled; its scope returns to the backlog. */
export interface ReleaseCancelledV1 {
  readonly releaseId: string;
  readonly reason: string;
  /** Scope that returns to the backlog. */
  readonly workloadIds: readonly string[];
  readonly cancelledBy: string;
  readonly cancelledAt: InstantV1;
}
