import type { CalendarEntryDefinitionV1, InstantV1 } from './calendar-values.v1';

/** A calendar entry's definition was replaced; `sequence` is one more than before. */
export interface CalendarEntryRevisedV1 {
  readonly definition: CalendarEntryDefinitionV1;
  readonly sequence: number;
  readonly revisedBy: string;
  readonly revisedAt: InstantV1;
  readonly reason?: string;
}
