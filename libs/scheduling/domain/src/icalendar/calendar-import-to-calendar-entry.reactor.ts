import type { CommandMetadata, React, ReactionMetadata } from '@trainyard/kernel';
import type { CalendarEntryCommand } from '../calendar/calendar-entry.commands';
import type { CalendarImportEvent } from './calendar-import.events';

export const CALENDAR_IMPORT_TO_CALENDAR_ENTRY_EVENT_TYPES = [
  'MaintenanceCalendarImported',
] as const satisfies readonly CalendarImportEvent['type'][];

const meta = (metadata: ReactionMetadata, now: string, reason: string): CommandMetadata => ({
  now,
  actor: metadata.actor,
  reason,
});

/**
 * An import's difference as calendar-entry commands: an added window is defined, a changed one
 * revised (its SEQUENCE goes up), a removed or cancelled one retired. Time is the read's, so a
 * re-run decides the same.
 */
export const reactToMaintenanceCalendarImported: React<
  CalendarImportEvent,
  CalendarEntryCommand
> = (event, metadata) => {
  if (event.type !== 'MaintenanceCalendarImported') return [];
  const { sourceId, readAt, added, changed, removed } = event.data;
  const imported = meta(metadata, readAt, `imported from the maintenance calendar ${sourceId}`);
  return [
    ...added.map((w): CalendarEntryCommand => ({
      type: 'DefineCalendarEntry',
      data: { definition: w.definition },
      metadata: imported,
    })),
    ...changed.map((w): CalendarEntryCommand => ({
      type: 'ReviseCalendarEntry',
      data: { definition: w.definition },
      metadata: imported,
    })),
    ...removed.map((r): CalendarEntryCommand => ({
      type: 'RetireCalendarEntry',
      data: { entryId: r.entryId },
      metadata: meta(metadata, readAt, `removed from the maintenance calendar ${sourceId}`),
    })),
  ];
};
