import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
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
import { DeploymentPlanUseCases } from '../deployment-plan.use-cases';

/** DefineCalendarEntry, ReviseCalendarEntry, RetireCalendarEntry, DeclareComponent. */
@Injectable()
export class CalendarUseCases {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readSide: SchedulingReadSide,
    private readonly queries: CalendarQueries,
    @Optional() private readonly deploymentPlans?: DeploymentPlanUseCases,
  ) {}

  private readonly logger = new Logger('CalendarUseCases');

  /**
   * A freeze defined or revised re-places the scheduled deployments it now covers (issue 11 item
   * 4). The calendar write stands on its own: a failed re-placement is logged, not rethrown.
   */
  private async rescheduleFor(
    definition: CalendarEntryDefinition,
    changed: boolean,
    ctx: CommandContext,
  ): Promise<boolean> {
    if (!changed || definition.kind !== 'freeze' || !this.deploymentPlans) return changed;
    try {
      await this.deploymentPlans.rescheduleAffected(
        { kind: 'freeze-added', id: definition.id },
        ctx,
      );
    } catch (error) {
      this.logger.warn(`re-placing after freeze ${definition.id} failed: ${String(error)}`);
    }
    return changed;
  }

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
    const changed = await this.handle(
      calendarEntryStream(definition.id),
      calendarEntryDecider,
      command,
      ctx,
      { knownEntryKinds },
    );
    return this.rescheduleFor(definition, changed, ctx);
  }

  async revise(definition: CalendarEntryDefinition, ctx: CommandContext): Promise<boolean> {
    validateCalendarEntryDefinition(definition);
    const knownEntryKinds = await this.queries.kindsOf(definition.holidayRefs ?? []);
    const command = {
      type: 'ReviseCalendarEntry',
      data: { definition },
      metadata: commandMetadata(ctx),
    } as const;
    const changed = await this.handle(
      calendarEntryStream(definition.id),
      calendarEntryDecider,
      command,
      ctx,
      { knownEntryKinds },
    );
    return this.rescheduleFor(definition, changed, ctx);
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
