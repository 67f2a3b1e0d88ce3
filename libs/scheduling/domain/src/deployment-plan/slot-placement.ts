import type { RejectedSlot } from './deployment-plan.events';

/**
 * What the deployment plan asks of placement for one deployment, and what it gets back. The pure
 * placement engine (`../placement/`) answers it over the calendar the application assembled
 * (windows, freezes, overrides, maintenance, the deployments already in the calendar); the
 * decider passes it the deployments it placed earlier in the same plan, so they never overlap.
 * Kept as a function in the decision context so the plan's rules (order of environments and
 * waves, deadlines, durations) are tested without a calendar.
 */
export interface SlotRequest {
  readonly deploymentId: string;
  readonly releaseId: string;
  readonly workloadId: string;
  readonly train: string;
  readonly team: string;
  readonly environment: string;
  readonly components: readonly string[];
  readonly owner?: string;
  readonly expectedDurationMs: number;
  /** Epoch ms. */
  readonly earliestStart: number;
  readonly deadline: number;
  /** Deployments of this plan placed before this one (their slots are taken). */
  readonly placedBefore: readonly PlacedSlot[];
  /** Deployments of this plan to ignore in the calendar (they are being re-placed). */
  readonly replacing: readonly string[];
}

export interface PlacedSlot {
  readonly deploymentId: string;
  readonly start: number;
  readonly end: number;
  readonly components: readonly string[];
  readonly owner?: string;
}

export type SlotAnswer =
  | {
      readonly status: 'placed';
      readonly start: number;
      readonly end: number;
      readonly rejected: readonly RejectedSlot[];
    }
  | {
      readonly status: 'unplaced';
      readonly rule: string;
      readonly message: string;
      readonly rejected: readonly RejectedSlot[];
    };

/** Pure: the same request over the same calendar gives the same answer. */
export type PlaceSlot = (request: SlotRequest) => SlotAnswer;
