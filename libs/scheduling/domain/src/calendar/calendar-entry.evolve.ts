import type { CalendarEntryEvent } from './calendar-entry.events';
import type { CalendarEntry } from './calendar-entry.state';

export const evolveCalendarEntry = (
  state: CalendarEntry,
  event: CalendarEntryEvent,
): CalendarEntry => {
  switch (event.type) {
    case 'CalendarEntryDefined':
    case 'CalendarEntryRevised':
      return { status: 'Active', definition: event.data.definition, sequence: event.data.sequence };
    case 'CalendarEntryRetired':
      return state.status === 'Undefined'
        ? state
        : { status: 'Retired', definition: state.definition, sequence: event.data.sequence };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};
