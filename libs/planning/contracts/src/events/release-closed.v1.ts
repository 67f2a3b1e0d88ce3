import type { InstantV1, TeamDeliveryV1 } from './planning-values.v1';

/** A release was closed with what was delivered (the velocity history). */
export interface ReleaseClosedV1 {
  readonly releaseId: string;
  readonly trainId: string;
  readonly kind: 'train' | 'emergency';
  readonly completed: readonly {
    readonly workloadId: string;
    readonly team: string;
    /** Delivered size. */
    readonly jobSize: number;
    readonly unplanned: boolean;
  }[];
  /** In scope but not delivered; back to the backlog. */
  readonly notCompleted: readonly string[];
  readonly teams: readonly TeamDeliveryV1[];
  readonly closedBy: string;
  readonly closedAt: InstantV1;
}
