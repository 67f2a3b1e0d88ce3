import type { PlacementContext } from '@trainyard/scheduling-domain';

export const PLACEMENT_INPUTS = Symbol('trainyard.scheduling.placement-inputs');

/**
 * Everything the placement engine reads for the range [from, to), assembled by the application:
 * calendar occurrences (deployment windows, freezes, maintenance) expanded to UTC, the overrides
 * in force, the deployments already in the calendar, job reservations and owner bookings.
 */
export interface PlacementInputsPort {
  assemble(range: { readonly from: number; readonly to: number }): Promise<PlacementContext>;
}
