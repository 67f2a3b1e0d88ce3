import type { Provider } from '@nestjs/common';
import { CALENDAR_FEED_SOURCE, ReadModelCalendarFeedSource } from './calendar-feed-source';
import { CalendarEntryCommandsSink } from './calendar-entry-commands.sink';
import { CALENDAR_IMPORT_SINK } from './calendar-import.sink';
import { CalendarImportScheduler } from './calendar-import.scheduler';
import { CalendarImportUseCases } from './calendar-import.use-cases';
import { CalendarSourceFetcher } from './calendar-source-fetcher';
import { ICALENDAR_CONFIG, loadICalendarConfig } from './icalendar.config';
import { ICalendarHttpController } from './icalendar.http-controller';

/**
 * iCalendar out (GET calendar.ics) and in (maintenance calendar imports, re-read on a schedule):
 * listed in the scheduling module, beside the calendar's read side the feed reads.
 */
export const ICALENDAR_CONTROLLERS = [ICalendarHttpController];

export const ICALENDAR_PROVIDERS: Provider[] = [
  { provide: ICALENDAR_CONFIG, useFactory: () => loadICalendarConfig() },
  { provide: CALENDAR_FEED_SOURCE, useClass: ReadModelCalendarFeedSource },
  { provide: CALENDAR_IMPORT_SINK, useClass: CalendarEntryCommandsSink },
  CalendarSourceFetcher,
  CalendarImportUseCases,
  CalendarImportScheduler,
];
