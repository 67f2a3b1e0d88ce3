import { Module } from '@nestjs/common';
import { CALENDAR_FEED_SOURCE, EventStoreCalendarFeedSource } from './calendar-feed-source';
import { CalendarEntryCommandsSink } from './calendar-entry-commands.sink';
import { CALENDAR_IMPORT_SINK } from './calendar-import.sink';
import { CalendarImportScheduler } from './calendar-import.scheduler';
import { CalendarImportUseCases } from './calendar-import.use-cases';
import { CalendarSourceFetcher } from './calendar-source-fetcher';
import { ICALENDAR_CONFIG, loadICalendarConfig } from './icalendar.config';
import { ICalendarHttpController } from './icalendar.http-controller';

/** iCalendar out (GET calendar.ics) and in (maintenance calendar imports, re-read on a schedule). */
@Module({
  controllers: [ICalendarHttpController],
  providers: [
    { provide: ICALENDAR_CONFIG, useFactory: () => loadICalendarConfig() },
    { provide: CALENDAR_FEED_SOURCE, useClass: EventStoreCalendarFeedSource },
    { provide: CALENDAR_IMPORT_SINK, useClass: CalendarEntryCommandsSink },
    CalendarSourceFetcher,
    CalendarImportUseCases,
    CalendarImportScheduler,
  ],
  exports: [CalendarImportScheduler, CalendarImportUseCases],
})
export class ICalendarModule {}
