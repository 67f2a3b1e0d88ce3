import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  commandMetadata,
  handleCommand,
  type CommandContext,
  type EventStore,
} from '@trainyard/event-store';
import { isDomainError } from '@trainyard/kernel';
import { EVENT_STORE } from '@trainyard/platform';
import {
  calendarEntryDecider,
  type CalendarEntryCommand,
  type MaintenanceCalendarImported,
} from '@trainyard/scheduling-domain';
import { calendarEntryStream } from '../application/calendar-streams';
import type { CalendarImportSink } from './calendar-import.sink';

/**
 * An import's difference as calendar-entry commands: an added window is defined, a changed one
 * revised (its SEQUENCE goes up), a removed or cancelled one retired, each caused by the
 * MaintenanceCalendarImported event. A command the calendar refuses (an entry retired before
 * cannot be defined again) is logged; the import event stays the record of what was read.
 */
@Injectable()
export class CalendarEntryCommandsSink implements CalendarImportSink {
  private readonly logger = new Logger('CalendarImport');

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async apply(imported: MaintenanceCalendarImported, ctx: CommandContext): Promise<void> {
    const { sourceId, added, changed, removed } = imported.data;
    const reason = `imported from the maintenance calendar ${sourceId}`;
    const metadata = commandMetadata(ctx, reason);
    const commands: [string, CalendarEntryCommand][] = [
      ...added.map((w): [string, CalendarEntryCommand] => [
        w.definition.id,
        { type: 'DefineCalendarEntry', data: { definition: w.definition }, metadata },
      ]),
      ...changed.map((w): [string, CalendarEntryCommand] => [
        w.definition.id,
        { type: 'ReviseCalendarEntry', data: { definition: w.definition }, metadata },
      ]),
      ...removed.map((r): [string, CalendarEntryCommand] => [
        r.entryId,
        {
          type: 'RetireCalendarEntry',
          data: { entryId: r.entryId },
          metadata: commandMetadata(ctx, `removed from the maintenance calendar ${sourceId}`),
        },
      ]),
    ];
    for (const [entryId, command] of commands) {
      try {
        await handleCommand(
          this.store,
          calendarEntryStream(entryId),
          calendarEntryDecider,
          command,
          ctx,
          { context: {}, ...(command.type === 'DefineCalendarEntry' ? { expectNew: true } : {}) },
        );
      } catch (error) {
        if (!isDomainError(error)) throw error;
        this.logger.warn(
          `calendar import ${sourceId}: ${command.type} ${entryId} refused: ${error.message}`,
        );
      }
    }
  }
}
