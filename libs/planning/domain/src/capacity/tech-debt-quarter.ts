import { assertIsoInstant } from '@trainyard/kernel';

/** An earlier release of the train, as the quarterly tech-debt reserve counts it. */
export interface QuarterRelease {
  readonly releaseId: string;
  readonly windowStart: string;
  readonly capacityTotal: number;
  /** Job size of technical-debt work in its committed scope (planned and exceptions alike). */
  readonly techDebt: number;
}

/** The calendar quarter (UTC) an instant falls in, as `[start, end)` ISO instants. */
export const calendarQuarter = (instant: string): { start: string; end: string } => {
  const at = new Date(assertIsoInstant('windowStart', instant));
  const first = Math.floor(at.getUTCMonth() / 3) * 3;
  return {
    start: new Date(Date.UTC(at.getUTCFullYear(), first, 1)).toISOString(),
    end: new Date(Date.UTC(at.getUTCFullYear(), first + 3, 1)).toISOString(),
  };
};

/**
 * What the train already planned this quarter, before a release whose window opens at
 * `windowStart`: the capacity of the quarter's earlier committed or closed releases and the
 * technical debt they took. Allocation reserves the policy's share of the whole quarter's
 * capacity for technical debt and subtracts what was already used (so a quarter's reserve is
 * neither spent twice nor lost when one release had no tech-debt candidates).
 */
export const quarterToDate = (
  windowStart: string,
  releases: readonly QuarterRelease[],
  releaseId?: string,
): { capacity: number; techDebt: number } => {
  const { start } = calendarQuarter(windowStart);
  const from = Date.parse(start);
  const until = Date.parse(windowStart);
  let capacity = 0;
  let techDebt = 0;
  for (const r of releases) {
    if (r.releaseId === releaseId) continue;
    const at = Date.parse(r.windowStart);
    if (!(at >= from && at < until)) continue;
    capacity += r.capacityTotal;
    techDebt += r.techDebt;
  }
  return { capacity, techDebt };
};
