/**
 * The points of a release held for technical debt. Without a quarter to date it is
 * `techDebtReserveShare` of the release; with one, the quarter's target (the share of the quarter's
 * capacity including this release) less the tech debt already delivered, never below 0 nor above
 * the release. Unused reserve returns to features after every candidate has been considered.
 */
export const techDebtReserve = (
  techDebtReserveShare: number,
  releaseCapacity: number,
  quarterToDate?: { readonly capacity: number; readonly techDebt: number },
): number =>
  quarterToDate
    ? Math.min(
        releaseCapacity,
        Math.max(
          0,
          Math.floor(techDebtReserveShare * (quarterToDate.capacity + releaseCapacity)) -
            quarterToDate.techDebt,
        ),
      )
    : Math.floor(techDebtReserveShare * releaseCapacity);
