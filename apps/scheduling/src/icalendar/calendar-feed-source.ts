import { Injectable } from '@nestjs/common';
import { CalendarEntryView } from '@trainyard/scheduling-read-models';
import type { CalendarFeedEntry } from '@trainyard/scheduling-domain';
import { SchedulingReadSide } from '../projections/scheduling-read-side';

/** Where the feed's entries come from: the calendar entries as their read side knows them. */
export interface CalendarFeedSource {
  entries(): Promise<readonly CalendarFeedEntry[]>;
}

export const CALENDAR_FEED_SOURCE = Symbol('scheduling.calendar-feed-source');

/** The feed's entries from the calendar entries read model (retired ones too: they are cancelled). */
@Injectable()
export class ReadModelCalendarFeedSource implements CalendarFeedSource {
  constructor(private readonly readSide: SchedulingReadSide) {}

  async entries(): Promise<readonly CalendarFeedEntry[]> {
    await this.readSide.catchUp();
    const rows = await this.readSide.dataSource.manager.find(CalendarEntryView, {
      order: { entryId: 'ASC' },
    });
    return rows.map((row) => ({
      definition: row.definition,
      sequence: row.sequence,
      retired: row.retired,
      updatedAt: row.updatedAt,
    }));
  }
}
