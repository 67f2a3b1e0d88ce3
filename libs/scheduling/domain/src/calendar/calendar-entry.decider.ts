import { decideCalendarEntry } from './calendar-entry.decide';
import { evolveCalendarEntry } from './calendar-entry.evolve';
import { initialCalendarEntry } from './calendar-entry.state';

export const calendarEntryDecider = {
  decide: decideCalendarEntry,
  evolve: evolveCalendarEntry,
  initialState: initialCalendarEntry,
} as const;
