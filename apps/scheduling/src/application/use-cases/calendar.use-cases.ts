import { Inject, Injectable } from '@nestjs/common';
import {
  commandMetadata,
  handleCommand,
  type CommandContext,
  type EventStore,
} from '@trainyard/event-store';
import { EVENT_STORE } from '@trainyard/platform';
import {
  calendarEntryDecider,
  componentDecider,
  validateCalendarEntryDefinition,
  type CalendarEntryDefinition,
} from '@trainyard/scheduling-domain';
import type { Command, Decider, DomainEvent } from '@trainyard/kernel';
import { SchedulingReadSide } from '../../projections/scheduling-read-side';
import { CalendarQueries } from '../calendar.queries';
import { calendarEntryStream, componentStream } from '../calendar-streams';

/** DefineCalendarEntry, ReviseCalendarEntry, RetireCalendarEntry, DeclareComponent. */
@Injectable()
export class CalendarUseCases {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readSide: SchedulingReadSide,
    private readonly queries: CalendarQueries,
  ) {}

  private async handle<S, C extends Command, E extends DomainEvent, Ctx>(
    streamId: string,
    decider: Decider<S, C, E, Ctx>,
    command: C,
    ctx: CommandContext,
    context: Ctx,
  ): Promise<boolean> {
    const handled = await handleCommand(this.store, streamId, decider, command, ctx, {
      context,
      onAppended: (result) =>
        this.readSide.recordWrite({
          transactionId: result.transactionId,
          position: result.lastPosition,
        }),
    });
    return handled.events.length > 0;
  }

  async define(definition: CalendarEntryDefinition, ctx: CommandContext): Promise<boolean> {
    // Refused before the stream is touched: nothing of a bad definition reaches the store.
    validateCalendarEntryDefinition(definition);
    const knownEntryKinds = await this.queries.kindsOf(definition.holidayRefs ?? []);
    const command = {
      type: 'DefineCalendarEntry',
      data: { definition },
      metadata: commandMetadata(ctx),
    } as const;
    return this.handle(calendarEntryStream(definition.id), calendarEntryDecider, command, ctx, {
      knownEntryKinds,
    });
  }

  async revise(definition: CalendarEntryDefinition, ctx: CommandContext): Promise<boolean> {
    validateCalendarEntryDefinition(definition);
    const knownEntryKinds = await this.queries.kindsOf(definition.holidayRefs ?? []);
    const command = {
      type: 'ReviseCalendarEntry',
      data: { definition },
      metadata: commandMetadata(ctx),
    } as const;
    return this.handle(calendarEntryStream(definition.id), calendarEntryDecider, command, ctx, {
      knownEntryKinds,
    });
  }

  async retire(entryId: string, ctx: CommandContext): Promise<boolean> {
    const command = {
      type: 'RetireCalendarEntry',
      data: { entryId },
      metadata: commandMetadata(ctx),
    } as const;
    return this.handle(calendarEntryStream(entryId), calendarEntryDecider, command, ctx, {});
  }

  async declareComponent(
    data: { componentId: string; parentId?: string },
    ctx: CommandContext,
  ): Promise<boolean> {
    const tree = await this.queries.componentTree();
    const command = { type: 'DeclareComponent', data, metadata: commandMetadata(ctx) } as const;
    return this.handle(componentStream(data.componentId), componentDecider, command, ctx, { tree });
  }
}
