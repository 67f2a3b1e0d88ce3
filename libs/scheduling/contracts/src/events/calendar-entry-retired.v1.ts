import type { CalendarEntryKindV1, InstantV1 } from './calendar-values.v1';

/** A calendar entry no longer applies (iCalendar: cancelled). */
export interface CalendarEntryRetiredV1 {
  readonly entryId: string;
  readonly kind: CalendarEntryKindV1;
  readonly sequence: number;
  readonly reason: string;
  readonly retiredBy: string;
  readonly retiredAt: InstantV1;
}
