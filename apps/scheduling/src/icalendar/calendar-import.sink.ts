import type { CommandContext } from '@trainyard/event-store';
import type { MaintenanceCalendarImported } from '@trainyard/scheduling-domain';

/** Where an import's difference goes besides its own event: the calendar entries. */
export interface CalendarImportSink {
  apply(imported: MaintenanceCalendarImported, ctx: CommandContext): Promise<void>;
}

export const CALENDAR_IMPORT_SINK = Symbol('scheduling.calendar-import-sink');
