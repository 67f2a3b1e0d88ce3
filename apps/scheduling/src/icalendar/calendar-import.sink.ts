import { Injectable, Logger } from '@nestjs/common';
import type { CommandContext } from '@trainyard/event-store';
import type { MaintenanceCalendarImported } from '@trainyard/scheduling-domain';

/** Where an import's difference goes besides its own event: the calendar entries. */
export interface CalendarImportSink {
  apply(imported: MaintenanceCalendarImported, ctx: CommandContext): Promise<void>;
}

export const CALENDAR_IMPORT_SINK = Symbol('scheduling.calendar-import-sink');

/** Records nothing beyond MaintenanceCalendarImported (the calendar-entry commands are not wired). */
@Injectable()
export class EventOnlyCalendarImportSink implements CalendarImportSink {
  private readonly logger = new Logger('CalendarImport');

  apply(imported: MaintenanceCalendarImported): Promise<void> {
    const { sourceId, added, changed, removed } = imported.data;
    this.logger.log(
      `calendar import ${sourceId}: ${added.length} added, ${changed.length} changed, ${removed.length} removed`,
    );
    return Promise.resolve();
  }
}
