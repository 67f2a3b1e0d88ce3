import type { Criticality, TaskPoolClaim } from '../job-manifest';

/** A task ready to start (its run admitted, its dependencies settled), waiting for a worker. */
export interface DispatchCandidate {
  readonly taskRunId: string;
  readonly runId: string;
  readonly job: string;
  readonly team: string;
  /** The job's priority, 0..100. */
  readonly priority: number;
  readonly criticality: Criticality;
  readonly pools: readonly TaskPoolClaim[];
  /** Since when it waits (ISO). */
  readonly readySince: string;
}

/** What is running now, as the policy needs it to be fair. */
export interface DispatchLoad {
  /** Tasks running per team. */
  readonly runningByTeam: Readonly<Record<string, number>>;
  /** Free slots per pool key (a pool not listed has none configured: unlimited). */
  readonly freePoolSlots: Readonly<Record<string, number>>;
  /** Worker capacity left in this dispatch round. */
  readonly capacity: number;
  /**
   * The last `headroom` of `capacity` go only to teams below their weighted share (a policy that
   * has no notion of shares may ignore it). Default 0. The runtime's headroom round passes
   * `headroom = capacity`: only teams below their share start there.
   */
  readonly headroom?: number;
  readonly now: string;
}

/**
 * Which candidates start now, in order; pure. The runtime fetches a bounded set of the oldest
 * candidates per team, asks the policy, then claims the chosen rows (SKIP LOCKED) and their pool
 * leases; a row another instance claimed first is simply not started here.
 */
export interface DispatchPolicy {
  choose(candidates: readonly DispatchCandidate[], load: DispatchLoad): DispatchCandidate[];
  /**
   * Workers of an instance kept free for teams below their weighted share (their newly triggered
   * or admitted work starts there at once instead of after the round in flight); 0 or absent: none.
   */
  readonly headroom?: number;
}
