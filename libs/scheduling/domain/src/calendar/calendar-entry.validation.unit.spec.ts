import { calendarEntry, fieldOf, utc } from '../test-support/calendar.fixtures';
import { validateCalendarEntryDefinition } from './calendar-entry.validation';
import { expandOccurrences } from './calendar-occurrences';

const refusal = (overrides: Record<string, unknown>) =>
  fieldOf(() =>
    validateCalendarEntryDefinition({
      ...calendarEntry(),
      ...overrides,
    }),
  );

describe('validateCalendarEntryDefinition', () => {
  it('accepts the fixture', () => {
    expect(() => validateCalendarEntryDefinition(calendarEntry())).not.toThrow();
  });

  it.each([
    [{ zone: 'Mars/Olympus' }, 'zone'],
    [{ zone: '+02:00' }, 'zone'],
    [{ start: '2024-02-30T10:00' }, 'start'],
    [{ start: '2024-03-08 02:30' }, 'start'],
    [{ duration: 'PT0H' }, 'duration'],
    [{ duration: '-PT1H' }, 'duration'],
    [{ duration: 'P400D' }, 'duration'],
    [{ duration: 'four hours' }, 'duration'],
    [{ recurrence: { rule: 'FREQ=SECONDLY' } }, 'recurrence.rule'],
    [{ recurrence: { rule: 'FREQ=DAILY;BYSECOND=5' } }, 'recurrence.rule'],
    [{ recurrence: { rule: 'garbage' } }, 'recurrence.rule'],
    [{ recurrence: { rule: 'RRULE:FREQ=DAILY' } }, 'recurrence.rule'],
    [{ recurrence: { rule: 'FREQ=DAILY;COUNT=100001' } }, 'recurrence.rule'],
    [{ recurrence: { rule: 'FREQ=DAILY;UNTIL=20240101T000000Z' } }, 'recurrence.rule'],
    [{ recurrence: { rule: 'FREQ=DAILY', exceptions: ['tomorrow'] } }, 'recurrence.exceptions[0]'],
    [{ dstPolicy: { gap: 'jump', overlap: 'first' } }, 'dstPolicy.gap'],
    [{ dstPolicy: { gap: 'shift', overlap: 'middle' } }, 'dstPolicy.overlap'],
    [{ scope: { teams: ['ok', ''] } }, 'scope.teams[1]'],
    [{ name: 'x'.repeat(201) }, 'name'],
    [{ name: 'bad\u0000' }, 'name'],
    [{ id: 'a b' }, 'id'],
    [{ kind: 'party' }, 'kind'],
    [{ kind: 'maintenance-window', scope: {} }, 'scope.components'],
    [{ kind: 'holiday', start: '2024-12-25T09:00', duration: 'P1D' }, 'start'],
    [{ kind: 'holiday', start: '2024-12-25T00:00', duration: 'PT12H' }, 'duration'],
    [
      { kind: 'holiday', start: '2024-12-25T00:00', duration: 'P1D', holidayRefs: ['x'] },
      'holidayRefs',
    ],
    [{ kind: 'freeze', holidayRefs: ['win-1'] }, 'holidayRefs'],
  ])('refuses %j, naming %s', (overrides, field) => {
    expect(refusal(overrides)).toBe(field);
  });
});

describe('bounded expansion', () => {
  it('refuses a range of more than 100,000 occurrences, naming to', () => {
    const hourly = calendarEntry({
      start: '2020-01-01T00:00',
      recurrence: { rule: 'FREQ=HOURLY' },
    });
    expect(
      fieldOf(() =>
        expandOccurrences(hourly, utc('2020-01-01T00:00:00Z'), utc('2035-01-01T00:00:00Z')),
      ),
    ).toBe('to');
  });

  it('refuses to before from, naming to', () => {
    expect(fieldOf(() => expandOccurrences(calendarEntry(), 10, 5))).toBe('to');
  });
});
