import type { Command } from '@trainyard/kernel';
import type { CalendarEntryDefinition } from './calendar-entry';

/** Defines a new calendar entry; its id is `definition.id`. */
export type DefineCalendarEntry = Command<
  'DefineCalendarEntry',
  { readonly definition: CalendarEntryDefinition }
>;
/** Replaces an entry's definition (same id and kind); the iCalendar SEQUENCE goes up by one. */
export type ReviseCalendarEntry = Command<
  'ReviseCalendarEntry',
  { readonly definition: CalendarEntryDefinition }
>;
/** Retires an entry: it no longer applies (iCalendar: cancelled). The reason is `metadata.reason`. */
export type RetireCalendarEntry = Command<'RetireCalendarEntry', { readonly entryId: string }>;

export type CalendarEntryCommand = DefineCalendarEntry | ReviseCalendarEntry | RetireCalendarEntry;
