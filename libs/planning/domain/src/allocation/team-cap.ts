/**
 * No team takes more than its share of a release: a team's limit is the smaller of its own
 * capacity and `teamCapShare` × the release's total capacity (whole points, rounded down).
 */
export const teamCapLimit = (
  teamCapacity: number,
  teamCapShare: number,
  releaseCapacity: number,
): number => Math.min(teamCapacity, Math.floor(teamCapShare * releaseCapacity));

/** Whether a job of `size` still fits a team that has used `used` of `limit`. */
export const fitsTeamCap = (used: number, size: number, limit: number): boolean =>
  used + size <= limit;

/** Why a candidate was deferred for its team: the cap when the cap binds, else the team's own capacity. */
export const teamCapDeferral = (
  team: string,
  used: number,
  limit: number,
  size: number,
  teamCapacity: number,
  teamCapShare: number,
): string =>
  limit < teamCapacity
    ? `deferred: team cap ${Math.round(teamCapShare * 100)}% reached (${team}: ${used} of ${limit} used, needs ${size})`
    : `deferred: team capacity reached (${team}: ${used} of ${limit} used, needs ${size})`;
