import { ValidationError } from '@trainyard/kernel';
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

/** Every violation a definition is refused with (none: accepted). */
const violationsOf = (definition: unknown): readonly { field: string; message: string }[] => {
  try {
    validateCalendarEntryDefinition(definition as never);
  } catch (error) {
    if (error instanceof ValidationError) return error.violations;
    throw error;
  }
  return [];
};

describe('validateCalendarEntryDefinition reports every problem at once', () => {
  it('names each invalid field with its path, in one ValidationError', () => {
    const violations = violationsOf({
      ...calendarEntry(),
      zone: 'Mars/Olympus',
      duration: 'PT0H',
      recurrence: { rule: 'FREQ=SECONDLY', exceptions: ['2024-03-09T02:30', 'tomorrow'] },
      dstPolicy: { gap: 'jump', overlap: 'middle' },
      scope: { teams: ['ok', ''], components: ['db', 42] },
    });
    expect(violations.map((v) => v.field)).toEqual([
      'zone',
      'duration',
      'recurrence.rule',
      'recurrence.exceptions[1]',
      'dstPolicy.gap',
      'dstPolicy.overlap',
      'scope.teams[1]',
      'scope.components[1]',
    ]);
    for (const v of violations) expect(v.message.startsWith(v.field)).toBe(true);
  });

  it("reports a kind's own rules beside the other problems", () => {
    const violations = violationsOf({
      ...calendarEntry(),
      kind: 'holiday',
      name: '',
      start: '2024-12-25T09:00',
      duration: 'PT12H',
      recurrence: { rule: 'FREQ=YEARLY', additions: ['2025-01-01T10:00'] },
      holidayRefs: ['x'],
    });
    expect(violations.map((v) => v.field)).toEqual([
      'name',
      'holidayRefs',
      'start',
      'duration',
      'recurrence.additions[0]',
    ]);
  });

  it('skips the rules of a value already refused, and never throws anything else', () => {
    expect(
      violationsOf({
        ...calendarEntry(),
        kind: 'maintenance-window',
        scope: null,
        recurrence: { rule: 'FREQ=DAILY', additions: 'no list', exceptions: [7] },
        holidayRefs: 'win-1',
      }).map((v) => v.field),
    ).toEqual([
      'recurrence.exceptions[0]',
      'recurrence.additions',
      'scope',
      'holidayRefs',
      'scope.components',
    ]);
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
