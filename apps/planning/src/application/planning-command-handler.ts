import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  handleCommand,
  loadStream,
  type CommandContext,
  type CommandFor,
  type EventStore,
  type HandledCommand,
  type Loaded,
} from '@trainyard/event-store';
import type { Command, Decider, DomainEvent } from '@trainyard/kernel';
import { EVENT_STORE } from '@trainyard/platform';
import { RELEASE_TO_WORKLOAD_EVENT_TYPES } from '@trainyard/planning-domain';
import { PlanningReadSide } from '../projections/planning-read-side';
import { workloadIdOf } from './planning-streams';
import { ReleaseReactions } from './release-reactions';

export interface PlanningHandled<S, E> extends HandledCommand<S, E> {
  /** Consequences on other streams that a rule refused, as `<workloadId>: <message>`. */
  readonly warnings: readonly string[];
}

const REACTING = new Set<string>(RELEASE_TO_WORKLOAD_EVENT_TYPES);

/**
 * Planning's use of the shared `handleCommand`: every append is recorded for read-your-writes,
 * and events with consequences on workloads are reacted to before the caller is answered (the
 * background reactor guarantees them if this process dies first).
 */
@Injectable()
export class PlanningCommandHandler {
  private readonly logger = new Logger('PlanningCommandHandler');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readSide: PlanningReadSide,
    private readonly reactions: ReleaseReactions,
  ) {}

  load<S, C extends Command, E extends DomainEvent, Ctx>(
    streamId: string,
    decider: Decider<S, C, E, Ctx>,
  ): Promise<Loaded<S>> {
    return loadStream(this.store, streamId, decider);
  }

  async handle<S, C extends Command, E extends DomainEvent, Ctx>(
    streamId: string,
    decider: Decider<S, C, E, Ctx>,
    command: C | CommandFor<S, C>,
    ctx: CommandContext,
    options: { readonly context: Ctx; readonly expectNew?: boolean },
  ): Promise<PlanningHandled<S, E>> {
    const handled = await handleCommand(this.store, streamId, decider, command, ctx, {
      ...options,
      onAppended: (result) =>
        this.readSide.recordWrite({
          transactionId: result.transactionId,
          position: result.lastPosition,
        }),
    });
    if (!handled.events.some((e) => REACTING.has(e.type))) return { ...handled, warnings: [] };
    return { ...handled, warnings: await this.reactNow(handled) };
  }

  private async reactNow(handled: HandledCommand<unknown, DomainEvent>): Promise<string[]> {
    const stored = await this.store.readStream(handled.streamId, {
      fromVersion: handled.loadedVersion + 1,
    });
    const ours = new Set(handled.eventIds);
    const outcomes = await this.reactions
      .react(stored.filter((e) => ours.has(e.metadata.eventId)))
      .catch((error: unknown) => {
        // Recorded already; the background reactor finishes what failed here.
        this.logger.warn(`reactions to ${handled.streamId} left to the reactor: ${String(error)}`);
        return [];
      });
    return outcomes
      .filter((o) => o.status === 'refused')
      .map((o) => `${workloadIdOf(o.streamId)}: ${o.message ?? o.rule ?? 'refused'}`);
  }
}
