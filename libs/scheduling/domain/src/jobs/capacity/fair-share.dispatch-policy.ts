import { ownValue } from '@trainyard/kernel';
import { sha256Hex } from '../canonical-json';
import type { DispatchCandidate, DispatchLoad, DispatchPolicy } from '../runs/dispatch-policy';

/**
 * Weighted fair sharing between TEAMS (issue 12, item 4). Per-key caps alone fail when one team
 * spreads its backlog over many keys (DBOS #1302, pg-boss #756): here a team's share is what it
 * runs divided by its weight, whatever keys or jobs it uses.
 *
 * One round: repeatedly give the next start to the team with the lowest
 * `(running + chosen this round) / weight` that has a candidate which fits; within that team the
 * highest priority, then the oldest, then the task-run id. A candidate whose pool is full (or
 * whose slots are reserved) is passed over, not waited for: no head-of-line blocking, in the team
 * or across teams. Ties between teams are broken by a hash of the team and the round's `now`, so
 * the order rotates from round to round and is the same on every instance for the same round.
 *
 * Headroom: the last `load.headroom` starts of a round go only to a team below its weighted share
 * of the workers, so a team under its share never waits for a slot an over-share team holds ("one
 * team's flood does not starve another's work even when spread over many keys"). A team's share is
 * counted with room for one more team of the default weight, the one the headroom is kept for: a
 * team flooding alone is over its share well before it fills the workers, and a newcomer or a team
 * that only now triggered work is below it. The workers counted are those running (every team's)
 * plus this round's capacity.
 */
export interface HighLoadPeriod {
  /** What the period is (e.g. the calendar entry `month-end close`). */
  readonly name: string;
  /** Slots per pool that only `critical` jobs may take while the period is active. */
  readonly reservedByPool: Readonly<Record<string, number>>;
}

export interface FairShareConfig {
  /** Team → weight (> 0); absent teams weigh `defaultWeight`. */
  readonly weights?: Readonly<Record<string, number>>;
  /** Default 1. */
  readonly defaultWeight?: number;
  /** The declared high-load periods active in this round (e.g. month-end). */
  readonly highLoad?: readonly HighLoadPeriod[];
  /**
   * Workers per instance kept for teams below their weighted share (see above; the runtime
   * dispatches them in their own round, woken by newly triggered work). Default 1; 0: none.
   */
  readonly headroom?: number;
}

/** The default of `FairShareConfig.headroom`: the next free worker waits for a team below its share. */
export const DEFAULT_HEADROOM = 1;

/** The reserved slots per pool this round: the largest reservation of any active period. */
export const reservedSlots = (
  highLoad: readonly HighLoadPeriod[] = [],
): Readonly<Record<string, number>> => {
  const reserved: Record<string, number> = {};
  for (const period of highLoad)
    for (const [pool, slots] of Object.entries(period.reservedByPool))
      reserved[pool] = Math.max(reserved[pool] ?? 0, Math.max(0, slots));
  return reserved;
};

const isCritical = (c: DispatchCandidate): boolean => c.criticality === 'critical';

/** Within a team: priority (high first), then age, then id: a total order. */
export const withinTeamOrder = (a: DispatchCandidate, b: DispatchCandidate): number =>
  b.priority - a.priority ||
  (a.readySince < b.readySince ? -1 : a.readySince > b.readySince ? 1 : 0) ||
  (a.taskRunId < b.taskRunId ? -1 : a.taskRunId > b.taskRunId ? 1 : 0);

export const createFairSharePolicy = (config: FairShareConfig = {}): DispatchPolicy => ({
  choose: (candidates, load) => chooseFairly(candidates, load, config),
  headroom: Math.max(0, Math.floor(config.headroom ?? DEFAULT_HEADROOM)),
});

/**
 * Whether `team`, running `running` tasks, is below its weighted share: its running per weight
 * under the level every team (and one newcomer of the default weight) would get of `workers`.
 */
export const belowShare = (
  team: string,
  running: Readonly<Record<string, number>>,
  workers: number,
  weightOf: (team: string) => number,
  defaultWeight: number,
): boolean => {
  let weights = defaultWeight; // the newcomer the headroom is kept for
  for (const other of Object.keys(running)) if (other !== team) weights += weightOf(other);
  weights += weightOf(team);
  return (running[team] ?? 0) / weightOf(team) < workers / weights;
};

export const chooseFairly = (
  candidates: readonly DispatchCandidate[],
  load: DispatchLoad,
  config: FairShareConfig = {},
): DispatchCandidate[] => {
  const defaultWeight = positive(config.defaultWeight) ?? 1;
  const weightOf = (team: string): number =>
    positive(ownValue(config.weights, team)) ?? defaultWeight;
  const reserved = reservedSlots(config.highLoad);
  const free = new Map<string, number>(
    Object.entries(load.freePoolSlots).map(([pool, n]) => [pool, Math.max(0, Math.floor(n))]),
  );
  let capacity = Math.max(0, Math.floor(load.capacity));
  const headroom = Math.min(capacity, Math.max(0, Math.floor(load.headroom ?? 0)));

  const queues = new Map<string, DispatchCandidate[]>();
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (seen.has(candidate.taskRunId)) continue; // one task run is started once
    seen.add(candidate.taskRunId);
    const queue = queues.get(candidate.team) ?? [];
    queue.push(candidate);
    queues.set(candidate.team, queue);
  }
  for (const queue of queues.values()) queue.sort(withinTeamOrder);
  const count = new Map<string, number>(
    [...queues.keys()].map((team) => [team, Math.max(0, ownValue(load.runningByTeam, team) ?? 0)]),
  );
  // The workers the shares divide: every team's running tasks plus this round's capacity.
  let workers = capacity;
  for (const n of count.values()) workers += n;
  for (const [team, n] of Object.entries(load.runningByTeam))
    if (!count.has(team)) workers += Math.max(0, n);
  const running = (): Record<string, number> => {
    const all: Record<string, number> = {};
    for (const [team, n] of Object.entries(load.runningByTeam)) all[team] = Math.max(0, n);
    for (const [team, n] of count) all[team] = n;
    return all;
  };
  const tieBreak = new Map(
    [...queues.keys()].map((team) => [team, sha256Hex(`${team}@${load.now}`)]),
  );

  /** Fits in the free slots; non-critical work leaves the reserved ones free. */
  const fits = (c: DispatchCandidate): boolean => {
    const needed = new Map<string, number>();
    for (const claim of c.pools)
      needed.set(claim.pool, (needed.get(claim.pool) ?? 0) + claim.slots);
    for (const [pool, slots] of needed) {
      const available = free.get(pool);
      if (available === undefined) continue; // no pool configured: unlimited
      const usable = isCritical(c) ? available : available - (reserved[pool] ?? 0);
      if (slots > usable) return false;
    }
    return true;
  };
  const take = (c: DispatchCandidate): void => {
    for (const claim of c.pools) {
      const available = free.get(claim.pool);
      if (available !== undefined) free.set(claim.pool, available - claim.slots);
    }
  };

  const chosen: DispatchCandidate[] = [];
  while (capacity > 0) {
    // Teams by share (lowest first), then the round's rotating tie-break.
    const teams = [...queues.keys()]
      .filter((team) => (queues.get(team)?.length ?? 0) > 0)
      .sort((a, b) => {
        const share = (count.get(a) ?? 0) / weightOf(a) - (count.get(b) ?? 0) / weightOf(b);
        if (share !== 0) return share;
        const ta = tieBreak.get(a) ?? '';
        const tb = tieBreak.get(b) ?? '';
        return ta < tb ? -1 : ta > tb ? 1 : a < b ? -1 : 1;
      });
    // Into the headroom: only teams below their share (the round stops when none of them fits).
    const inHeadroom = capacity <= headroom;
    const now = inHeadroom ? running() : undefined;
    let picked = false;
    for (const team of teams) {
      if (now && !belowShare(team, now, workers, weightOf, defaultWeight)) continue;
      const queue = queues.get(team) ?? [];
      const index = queue.findIndex(fits);
      if (index < 0) {
        queues.delete(team); // nothing of this team fits this round (free slots only shrink)
        continue;
      }
      const [candidate] = queue.splice(index, 1);
      if (!candidate) continue;
      take(candidate);
      chosen.push(candidate);
      count.set(team, (count.get(team) ?? 0) + 1);
      capacity -= 1;
      picked = true;
      break;
    }
    if (!picked) break;
  }
  return chosen;
};

const positive = (value: number | undefined): number | undefined =>
  value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
