import { Inject, Injectable } from '@nestjs/common';
import { START_CHECKPOINT, type Checkpoint, type EventStore } from '@trainyard/event-store';
import { EVENT_STORE } from '@trainyard/platform';
import { CalendarEntryView } from '@trainyard/scheduling-read-models';
import type { CalendarEntryDefinition, CalendarFeedEntry } from '@trainyard/scheduling-domain';
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

const ENTRY_EVENTS = ['CalendarEntryDefined', 'CalendarEntryRevised', 'CalendarEntryRetired'];

interface EntryEventData {
  readonly definition?: CalendarEntryDefinition;
  readonly entryId?: string;
  readonly sequence?: number;
}

/**
 * The calendar entries folded from the calendar-entry events of the store, incrementally from
 * the last checkpoint (the definitions, their SEQUENCE and retirement): the feed without the read
 * model, for a process that does not run the read side.
 */
@Injectable()
export class EventStoreCalendarFeedSource implements CalendarFeedSource {
  private checkpoint: Checkpoint = START_CHECKPOINT;
  private readonly byId = new Map<string, CalendarFeedEntry>();
  private catchingUp: Promise<void> | undefined;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async entries(): Promise<readonly CalendarFeedEntry[]> {
    this.catchingUp ??= this.catchUp().finally(() => (this.catchingUp = undefined));
    await this.catchingUp;
    return [...this.byId.values()];
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const read = await this.store.readAll({ after: this.checkpoint, types: ENTRY_EVENTS });
      for (const event of read.events) {
        const data = event.data as EntryEventData;
        const updatedAt = event.recordedAt.toISOString();
        if (event.type === 'CalendarEntryRetired') {
          const entry = data.entryId === undefined ? undefined : this.byId.get(data.entryId);
          if (entry)
            this.byId.set(entry.definition.id, {
              ...entry,
              retired: true,
              sequence: data.sequence ?? entry.sequence + 1,
              updatedAt,
            });
        } else if (data.definition) {
          this.byId.set(data.definition.id, {
            definition: data.definition,
            sequence: data.sequence ?? 0,
            retired: false,
            updatedAt,
          });
        }
      }
      this.checkpoint = read.checkpoint;
      if (read.isEnd) return;
    }
  }
}
