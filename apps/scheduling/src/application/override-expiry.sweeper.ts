import { randomUUID } from 'node:crypto';
import { handleCommand, type AppendResult, type EventStore } from '@trainyard/event-store';
import type { Clock } from '@trainyard/kernel';
import {
  freezeOverrideDecider,
  freezeOverrideStream,
  type OverridePolicy,
} from '@trainyard/scheduling-domain';

/** The actor the sweeper's events carry. */
export const OVERRIDE_SWEEPER_ACTOR = 'scheduling-override-sweeper';

export interface OverrideExpirySweeperOptions {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly policy: OverridePolicy;
  /** Ids of overrides still pending or active whose `to` is at or before `now`. */
  readonly candidates: (now: string) => Promise<readonly string[]>;
  readonly intervalMs: number;
  readonly onAppended?: (result: AppendResult) => void;
  readonly warn?: (message: string) => void;
  /** After an override's expiry was recorded: re-place what its freeze now blocks again. */
  readonly onExpired?: (overrideId: string, now: string) => Promise<void>;
}

/**
 * Records the expiry of overrides past `to` (FreezeOverrideExpired, and the review item of one
 * that was active). Only a record: an override stops lifting its freeze at `to` by itself, so
 * nothing depends on the sweeper being punctual. Safe with several instances: each appends at
 * the version it loaded, so the second writer's append conflicts, it reloads, and the decider
 * finds nothing left to do.
 */
export class OverrideExpirySweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(private readonly options: OverrideExpirySweeperOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.sweep().catch((error: unknown) =>
        this.options.warn?.(`override expiry sweep failed: ${String(error)}`),
      );
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass; resolves how many overrides this pass expired. Passes never overlap. */
  sweep(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    const now = this.options.clock.now();
    let expired = 0;
    for (const overrideId of await this.options.candidates(now)) {
      try {
        const handled = await handleCommand(
          this.options.store,
          freezeOverrideStream(overrideId),
          freezeOverrideDecider,
          {
            type: 'ExpireFreezeOverride',
            data: { overrideId },
            metadata: { now, actor: OVERRIDE_SWEEPER_ACTOR },
          },
          { actor: OVERRIDE_SWEEPER_ACTOR, correlationId: randomUUID(), now },
          {
            context: { policy: this.options.policy },
            ...(this.options.onAppended ? { onAppended: this.options.onAppended } : {}),
          },
        );
        if (handled.events.length > 0) expired++;
        if (handled.events.some((e) => e.type === 'FreezeOverrideExpired'))
          await this.options.onExpired?.(overrideId, now);
      } catch (error) {
        // One override's failure must not stop the others; the next pass retries it.
        this.options.warn?.(`could not expire freeze override ${overrideId}: ${String(error)}`);
      }
    }
    return expired;
  }
}
