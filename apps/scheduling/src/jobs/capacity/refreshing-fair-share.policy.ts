import {
  chooseFairly,
  DEFAULT_HEADROOM,
  type DispatchCandidate,
  type DispatchLoad,
  type DispatchPolicy,
  type FairShareConfig,
} from '@trainyard/scheduling-domain';
import type { PgPoolSlots } from './pg-pool-slots';
import type { PoolQueries } from './pool.queries';

/**
 * The fair-share policy as the runtime's `policy` option wants it (synchronous `choose`): team
 * weights and the high-load periods active now are reloaded in the background every `intervalMs`
 * (and free pool slots, used when the runtime's load gives none), so a dispatch round never waits
 * on them. Until the first load it shares by team with weight 1 and no reservation.
 */
export class RefreshingFairSharePolicy implements DispatchPolicy {
  /** Workers per instance kept for teams below their share (FairShareConfig.headroom). */
  readonly headroom = DEFAULT_HEADROOM;
  private config: FairShareConfig = {};
  private freeSlots: Readonly<Record<string, number>> = {};
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queries: Pick<PoolQueries, 'weights' | 'activeHighLoad'>,
    private readonly slots?: Pick<PgPoolSlots, 'freeSlots'>,
    private readonly clock: () => number = Date.now,
  ) {}

  choose(candidates: readonly DispatchCandidate[], load: DispatchLoad): DispatchCandidate[] {
    const freePoolSlots =
      Object.keys(load.freePoolSlots).length > 0 ? load.freePoolSlots : this.freeSlots;
    return chooseFairly(candidates, { ...load, freePoolSlots }, this.config);
  }

  async refresh(): Promise<void> {
    const now = new Date(this.clock()).toISOString();
    const [weights, highLoad, freeSlots] = await Promise.all([
      this.queries.weights(),
      this.queries.activeHighLoad(now),
      this.slots?.freeSlots() ?? Promise.resolve({}),
    ]);
    this.config = { weights, highLoad };
    this.freeSlots = freeSlots;
  }

  start(intervalMs = 2_000, onError: (error: unknown) => void = () => undefined): void {
    if (this.timer) return;
    const tick = () => void this.refresh().catch(onError);
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
