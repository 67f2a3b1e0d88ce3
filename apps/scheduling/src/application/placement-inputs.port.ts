import type {
  FreezeInterval,
  Interval,
  PlacementContext,
  PlacementSubject,
} from '@trainyard/scheduling-domain';

export const PLACEMENT_INPUTS = Symbol('trainyard.scheduling.placement-inputs');

/**
 * The assembled inputs, plus which override lifted a freeze: the same active overrides
 * `overrideCovers` decided with, so a placement can record each use it made of one.
 */
export interface AssembledPlacement extends PlacementContext {
  readonly coveringOverride?: (
    freeze: FreezeInterval,
    slot: Interval,
    subject: PlacementSubject,
  ) => { readonly overrideId: string } | undefined;
}

/**
 * Everything the placement engine reads for the range [from, to), assembled by the application:
 * calendar occurrences (deployment windows, freezes, maintenance) expanded to UTC, the overrides
 * in force, the deployments already in the calendar, job reservations and owner bookings.
 */
export interface PlacementInputsPort {
  assemble(range: { readonly from: number; readonly to: number }): Promise<AssembledPlacement>;
}
