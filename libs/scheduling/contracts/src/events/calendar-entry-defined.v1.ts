import type { CalendarEntryDefinitionV1, InstantV1 } from './calendar-values.v1';

/** A calendar entry (window, freeze or holiday) was defined; iCalendar SEQUENCE 0. */
export interface CalendarEntryDefinedV1 {
  readonly definition: CalendarEntryDefinitionV1;
  readonly sequence: number;
  readonly definedBy: string;
  readonly definedAt: InstantV1;
}
