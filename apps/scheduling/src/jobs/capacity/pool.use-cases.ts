import { Inject, Injectable } from '@nestjs/common';
import {
  commandMetadata,
  handleCommand,
  type AppendResult,
  type CommandContext,
  type EventStore,
} from '@trainyard/event-store';
import { EVENT_STORE } from '@trainyard/platform';
import {
  jobPoolDecider,
  jobPoolStream,
  teamWeightDecider,
  teamWeightStream,
  validateJobPool,
  validateTeamWeight,
  type JobPoolDefinition,
} from '@trainyard/scheduling-domain';
import { CalendarQueries } from '../../application/calendar.queries';
import { SchedulingReadSide } from '../../projections/scheduling-read-side';

/** PutJobPool and SetTeamWeight: validated before any stream is touched; each change an event. */
@Injectable()
export class PoolUseCases {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readSide: SchedulingReadSide,
    private readonly calendar: CalendarQueries,
  ) {}

  private record(result: AppendResult): void {
    this.readSide.recordWrite({
      transactionId: result.transactionId,
      position: result.lastPosition,
    });
  }

  async putPool(input: unknown, ctx: CommandContext): Promise<{ key: string; changed: boolean }> {
    const pool: JobPoolDefinition = validateJobPool(input);
    const calendarEntryKinds = await this.calendar.kindsOf(
      pool.highLoadReservations.map((r) => r.calendarEntryId),
    );
    const handled = await handleCommand(
      this.store,
      jobPoolStream(pool.key),
      jobPoolDecider,
      { type: 'PutJobPool', data: { pool }, metadata: commandMetadata(ctx) },
      ctx,
      { context: { calendarEntryKinds }, onAppended: (result) => this.record(result) },
    );
    return { key: pool.key, changed: handled.events.length > 0 };
  }

  async putTeamWeight(
    team: unknown,
    weight: unknown,
    ctx: CommandContext,
  ): Promise<{ team: string; changed: boolean }> {
    const valid = validateTeamWeight(team, weight);
    const handled = await handleCommand(
      this.store,
      teamWeightStream(valid.team),
      teamWeightDecider,
      { type: 'SetTeamWeight', data: valid, metadata: commandMetadata(ctx) },
      ctx,
      { context: undefined, onAppended: (result) => this.record(result) },
    );
    return { team: valid.team, changed: handled.events.length > 0 };
  }
}
