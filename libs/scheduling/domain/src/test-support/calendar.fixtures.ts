import { ValidationError } from '@trainyard/kernel';
import type { CalendarEntryDefinition } from '../calendar/calendar-entry';

/** A valid definition to vary in specs: a daily one-hour deployment window in New York. */
export const calendarEntry = (
  overrides: Partial<CalendarEntryDefinition> = {},
): CalendarEntryDefinition => ({
  id: 'win-1',
  kind: 'deployment-window',
  name: 'Nightly window',
  zone: 'America/New_York',
  start: '2024-03-08T02:30',
  duration: 'PT1H',
  recurrence: { rule: 'FREQ=DAILY' },
  dstPolicy: { gap: 'shift', overlap: 'first' },
  scope: {},
  ...overrides,
});

export const utc = (iso: string): number => Date.parse(iso);

/** The field a `ValidationError` names, or a description of what else happened. */
export const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof ValidationError
      ? error.field
      : `not a ValidationError: ${String(error)}`;
  }
  return undefined;
};
