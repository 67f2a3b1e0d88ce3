import type { DomainEvent } from '@trainyard/kernel';
import type { CalendarEntryDefinition } from './calendar-entry';

export type CalendarEntryDefined = DomainEvent<
  'CalendarEntryDefined',
  {
    readonly definition: CalendarEntryDefinition;
    /** iCalendar SEQUENCE of this version of the entry: 0 when defined. */
    readonly sequence: number;
    readonly definedBy: string;
    readonly definedAt: string;
  }
>;

export type CalendarEntryRevised = DomainEvent<
  'CalendarEntryRevised',
  {
    readonly definition: CalendarEntryDefinition;
    readonly sequence: number;
    readonly revisedBy: string;
    readonly revisedAt: string;
    readonly reason?: string;
  }
>;

export type CalendarEntryRetired = DomainEvent<
  'CalendarEntryRetired',
  {
    readonly entryId: string;
    readonly kind: CalendarEntryDefinition['kind'];
    readonly sequence: number;
    readonly reason: string;
    readonly retiredBy: string;
    readonly retiredAt: string;
  }
>;

export type CalendarEntryEvent = CalendarEntryDefined | CalendarEntryRevised | CalendarEntryRetired;
