import type { CalendarEntryDefinition } from './calendar-entry';

export type CalendarEntry =
  | { readonly status: 'Undefined' }
  | {
      readonly status: 'Active' | 'Retired';
      readonly definition: CalendarEntryDefinition;
      /** iCalendar SEQUENCE: 0 when defined, one more on every revision and on retirement. */
      readonly sequence: number;
    };

export const initialCalendarEntry = (): CalendarEntry => ({ status: 'Undefined' });
