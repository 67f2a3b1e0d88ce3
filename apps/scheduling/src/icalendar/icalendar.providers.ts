import type { Provider } from '@nestjs/common';
import { CALENDAR_FEED_SOURCE, ReadModelCalendarFeedSource } from './calendar-feed-source';
import { CalendarImportReactions } from './calendar-import.reactions';
import { CalendarImportScheduler } from './calendar-import.scheduler';
import { CalendarImportUseCases } from './calendar-import.use-cases';
import { CalendarSourceFetcher } from './calendar-source-fetcher';
import { SERVICE_CONFIG } from '@trainyard/platform';
import type { SchedulingConfig } from '../config/scheduling-settings';
import { ICALENDAR_CONFIG, icalendarConfigOf } from './icalendar.config';
import { ICalendarHttpController } from './icalendar.http-controller';

/**
 * iCalendar out (GET calendar.ics) and in (maintenance calendar imports, re-read on a schedule):
 * listed in the scheduling module, beside the calendar's read side the feed reads.
 */
export const ICALENDAR_CONTROLLERS = [ICalendarHttpController];

export const ICALENDAR_PROVIDERS: Provider[] = [
  {
    provide: ICALENDAR_CONFIG,
    inject: [SERVICE_CONFIG],
    useFactory: (config: SchedulingConfig) => icalendarConfigOf(config),
  },
  { provide: CALENDAR_FEED_SOURCE, useClass: ReadModelCalendarFeedSource },
  CalendarImportReactions,
  CalendarSourceFetcher,
  CalendarImportUseCases,
  CalendarImportScheduler,
];
