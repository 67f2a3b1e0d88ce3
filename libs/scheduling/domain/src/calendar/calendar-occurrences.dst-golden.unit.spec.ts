import { expandOccurrences } from './calendar-occurrences';
import type { CalendarEntryDefinition, CalendarOccurrence } from './calendar-entry';
import { calendarEntry, fieldOf, utc } from '../test-support/calendar.fixtures';
import { epochMsOf, wallTimeOf } from '../test-support/intl-wall-clock';

// Golden occurrences across DST. Every expected instant is written literally: the wall time minus
// the offset in force (named in each case from the zone's published rules), computed by hand, never
// by the resolver; each case then re-reads the instants through Intl (ICU), a second source.
const expand = (definition: CalendarEntryDefinition, from: string, to: string) =>
  expandOccurrences(definition, utc(from), utc(to));

const span = (o: CalendarOccurrence) => `${o.start} ${o.end}`;

const reads = (instant: string, zone: string): string => {
  const w = wallTimeOf(epochMsOf(instant), zone);
  const p = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${p(w.year, 4)}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}`;
};

describe('America/New_York (2024: EST -05:00; EDT -04:00 from 10 Mar 02:00 to 3 Nov 02:00)', () => {
  const zone = 'America/New_York';
  const daily0230 = (gap: 'shift' | 'skip') =>
    calendarEntry({
      zone,
      start: '2024-03-09T02:30',
      recurrence: { rule: 'FREQ=DAILY;COUNT=3' },
      dstPolicy: { gap, overlap: 'first' },
    });

  it('shifts a 02:30 start on the spring-forward day to 03:30 EDT, keeping the wall-clock hour', () => {
    const result = expand(daily0230('shift'), '2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z');
    // 9 Mar 02:30 EST = 07:30Z; 10 Mar 02:30 read with EST = 07:30Z (03:30 EDT), its wall end 03:30
    // reads no later, so it keeps one hour: 08:30Z (04:30 EDT); 11 Mar 02:30 EDT = 06:30Z.
    expect(result.map(span)).toEqual([
      '2024-03-09T07:30:00Z 2024-03-09T08:30:00Z',
      '2024-03-10T07:30:00Z 2024-03-10T08:30:00Z',
      '2024-03-11T06:30:00Z 2024-03-11T07:30:00Z',
    ]);
    expect(result.map((o) => o.localStart)).toEqual([
      '2024-03-09T02:30',
      '2024-03-10T02:30',
      '2024-03-11T02:30',
    ]);
    expect(result.map((o) => reads(o.start, zone))).toEqual([
      '2024-03-09T02:30',
      '2024-03-10T03:30',
      '2024-03-11T02:30',
    ]);
  });

  it('skips the 02:30 start on the spring-forward day when the policy says skip', () => {
    const result = expand(daily0230('skip'), '2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z');
    expect(result.map((o) => o.start)).toEqual(['2024-03-09T07:30:00Z', '2024-03-11T06:30:00Z']);
  });

  const sunday0130 = (overlap: 'first' | 'last' | 'both') =>
    calendarEntry({
      kind: 'maintenance-window',
      zone,
      start: '2024-10-27T01:30',
      recurrence: { rule: 'FREQ=WEEKLY;COUNT=3' },
      dstPolicy: { gap: 'shift', overlap },
      scope: { components: ['db'] },
    });

  it('runs a 01:30 start on the fall-back day first, last or both, each ending at 02:30 EST', () => {
    const from = '2024-10-01T00:00:00Z';
    const to = '2024-12-01T00:00:00Z';
    // 27 Oct 01:30 EDT = 05:30Z → 02:30 EDT = 06:30Z. 3 Nov 01:30 EDT = 05:30Z, 01:30 EST = 06:30Z;
    // the wall end 02:30 exists once, in EST: 07:30Z. 10 Nov 01:30 EST = 06:30Z → 07:30Z.
    const before = '2024-10-27T05:30:00Z 2024-10-27T06:30:00Z';
    const after = '2024-11-10T06:30:00Z 2024-11-10T07:30:00Z';
    expect(expand(sunday0130('first'), from, to).map(span)).toEqual([
      before,
      '2024-11-03T05:30:00Z 2024-11-03T07:30:00Z',
      after,
    ]);
    expect(expand(sunday0130('last'), from, to).map(span)).toEqual([
      before,
      '2024-11-03T06:30:00Z 2024-11-03T07:30:00Z',
      after,
    ]);
    const both = expand(sunday0130('both'), from, to);
    expect(both.map(span)).toEqual([
      before,
      '2024-11-03T05:30:00Z 2024-11-03T07:30:00Z',
      '2024-11-03T06:30:00Z 2024-11-03T07:30:00Z',
      after,
    ]);
    for (const o of both) {
      expect(reads(o.start, zone)).toBe(o.localStart);
      expect(reads(o.end, zone)).toBe(o.localEnd);
    }
  });
});

describe('Europe/Berlin (2024: CET +01:00; CEST +02:00 from 31 Mar 02:00 to 27 Oct 03:00)', () => {
  const zone = 'Europe/Berlin';
  const freezeDay = (start: string) =>
    calendarEntry({ kind: 'freeze', zone, start, duration: 'P1D', recurrence: undefined });

  it('makes a one-day freeze on the spring-forward day 23 hours long and on the fall-back day 25', () => {
    // 31 Mar 00:00 CET = 30 Mar 23:00Z; 1 Apr 00:00 CEST = 31 Mar 22:00Z.
    expect(
      expand(freezeDay('2024-03-31T00:00'), '2024-03-01T00:00:00Z', '2024-05-01T00:00:00Z').map(
        span,
      ),
    ).toEqual(['2024-03-30T23:00:00Z 2024-03-31T22:00:00Z']);
    // 27 Oct 00:00 CEST = 26 Oct 22:00Z; 28 Oct 00:00 CET = 27 Oct 23:00Z.
    const fall = expand(
      freezeDay('2024-10-27T00:00'),
      '2024-10-01T00:00:00Z',
      '2024-11-01T00:00:00Z',
    );
    expect(fall.map(span)).toEqual(['2024-10-26T22:00:00Z 2024-10-27T23:00:00Z']);
    expect([reads(fall[0]!.start, zone), reads(fall[0]!.end, zone)]).toEqual([
      '2024-10-27T00:00',
      '2024-10-28T00:00',
    ]);
  });

  it('honours EXDATE and RDATE as local wall times', () => {
    const entry = calendarEntry({
      zone,
      start: '2024-03-29T22:00',
      duration: 'PT2H',
      recurrence: {
        rule: 'FREQ=DAILY;UNTIL=20240401T235959',
        exceptions: ['2024-03-30T22:00'],
        additions: ['2024-03-31T02:30'],
      },
    });
    // 29 Mar 22:00 CET = 21:00Z; 31 Mar 02:30 is in the gap: read with CET = 01:30Z (03:30 CEST),
    // ending at 04:30 CEST = 02:30Z; 31 Mar 22:00 CEST = 20:00Z; 1 Apr 22:00 CEST = 20:00Z.
    expect(expand(entry, '2024-03-01T00:00:00Z', '2024-05-01T00:00:00Z').map(span)).toEqual([
      '2024-03-29T21:00:00Z 2024-03-29T23:00:00Z',
      '2024-03-31T01:30:00Z 2024-03-31T02:30:00Z',
      '2024-03-31T20:00:00Z 2024-03-31T22:00:00Z',
      '2024-04-01T20:00:00Z 2024-04-01T22:00:00Z',
    ]);
  });
});

describe('Australia/Lord_Howe (a 30-minute shift: +10:30 standard, +11:00 daylight)', () => {
  const zone = 'Australia/Lord_Howe';

  it('shifts 02:15 on 6 October 2024 (02:00 → 02:30) by 30 minutes, read with +10:30', () => {
    const entry = calendarEntry({
      zone,
      start: '2024-10-05T02:15',
      recurrence: { rule: 'FREQ=DAILY;COUNT=3' },
    });
    // 5 Oct 02:15 +10:30 = 4 Oct 15:45Z → 03:15 = 16:45Z; 6 Oct 02:15 read with +10:30 = 5 Oct
    // 15:45Z (02:45 +11:00) → 03:15 +11:00 = 16:15Z; 7 Oct 02:15 +11:00 = 6 Oct 15:15Z → 16:15Z.
    const result = expand(entry, '2024-10-01T00:00:00Z', '2024-11-01T00:00:00Z');
    expect(result.map(span)).toEqual([
      '2024-10-04T15:45:00Z 2024-10-04T16:45:00Z',
      '2024-10-05T15:45:00Z 2024-10-05T16:15:00Z',
      '2024-10-06T15:15:00Z 2024-10-06T16:15:00Z',
    ]);
    expect(result.map((o) => reads(o.start, zone))).toEqual([
      '2024-10-05T02:15',
      '2024-10-06T02:45',
      '2024-10-07T02:15',
    ]);
  });

  it('sees 01:45 twice on 7 April 2024 (02:00 +11:00 → 01:30 +10:30) and ends each after its start', () => {
    const entry = calendarEntry({
      zone,
      start: '2024-04-07T01:45',
      duration: 'PT10M',
      recurrence: undefined,
      dstPolicy: { gap: 'shift', overlap: 'both' },
    });
    // 01:45 +11:00 = 6 Apr 14:45Z, 01:45 +10:30 = 15:15Z; 01:55 likewise 14:55Z and 15:25Z.
    expect(expand(entry, '2024-04-01T00:00:00Z', '2024-05-01T00:00:00Z').map(span)).toEqual([
      '2024-04-06T14:45:00Z 2024-04-06T14:55:00Z',
      '2024-04-06T15:15:00Z 2024-04-06T15:25:00Z',
    ]);
  });
});

describe('Pacific/Apia (30 December 2011 did not exist: 29 Dec 24:00 -10:00 → 31 Dec 00:00 +14:00)', () => {
  const zone = 'Pacific/Apia';
  const noon = (gap: 'shift' | 'skip') =>
    calendarEntry({
      zone,
      start: '2011-12-29T12:00',
      recurrence: { rule: 'FREQ=DAILY;COUNT=3' },
      dstPolicy: { gap, overlap: 'first' },
    });

  it('shifts noon of the missing day onto noon of the 31st and counts that instant once', () => {
    // 29 Dec 12:00 -10:00 = 22:00Z on the 29th; 30 Dec 12:00 read with -10:00 = 22:00Z on the 30th,
    // which is 31 Dec 12:00 +14:00: the 31st's own noon.
    const expected = [
      '2011-12-29T22:00:00Z 2011-12-29T23:00:00Z',
      '2011-12-30T22:00:00Z 2011-12-30T23:00:00Z',
    ];
    const shifted = expand(noon('shift'), '2011-12-01T00:00:00Z', '2012-01-31T00:00:00Z');
    expect(shifted.map(span)).toEqual(expected);
    expect(shifted.map((o) => o.localStart)).toEqual(['2011-12-29T12:00', '2011-12-31T12:00']);
    expect(shifted.map((o) => reads(o.start, zone))).toEqual([
      '2011-12-29T12:00',
      '2011-12-31T12:00',
    ]);
    expect(expand(noon('skip'), '2011-12-01T00:00:00Z', '2012-01-31T00:00:00Z').map(span)).toEqual(
      expected,
    );
  });
});

describe('Africa/Cairo (2024: EET +02:00; EEST +03:00 from 26 Apr 00:00, a change at midnight)', () => {
  const zone = 'Africa/Cairo';

  it('starts a holiday whose midnight does not exist at 01:00 EEST and ends it at the next midnight', () => {
    const holiday = calendarEntry({
      kind: 'holiday',
      zone,
      start: '2024-04-26T00:00',
      duration: 'P1D',
      recurrence: undefined,
    });
    // 26 Apr 00:00 read with +02:00 = 25 Apr 22:00Z (01:00 EEST); 27 Apr 00:00 EEST = 26 Apr 21:00Z.
    const result = expand(holiday, '2024-04-01T00:00:00Z', '2024-05-01T00:00:00Z');
    expect(result.map(span)).toEqual(['2024-04-25T22:00:00Z 2024-04-26T21:00:00Z']);
    expect([reads(result[0]!.start, zone), reads(result[0]!.end, zone)]).toEqual([
      '2024-04-26T01:00',
      '2024-04-27T00:00',
    ]);
  });
});

describe('holidays referenced by other entries', () => {
  const holidays = new Map([
    [
      'payments-holidays',
      calendarEntry({
        id: 'payments-holidays',
        kind: 'holiday',
        zone: 'Europe/Berlin',
        start: '2024-12-25T00:00',
        duration: 'P2D',
        recurrence: undefined,
      }),
    ],
  ]);

  it('lets a freeze cover the holiday days of another zone, marked with their source', () => {
    const freeze = calendarEntry({
      id: 'freeze-1',
      kind: 'freeze',
      start: '2024-12-31T00:00',
      duration: 'P1D',
      recurrence: undefined,
      holidayRefs: ['payments-holidays'],
    });
    const result = expandOccurrences(
      freeze,
      utc('2024-12-01T00:00:00Z'),
      utc('2025-01-31T00:00:00Z'),
      {
        holidays,
      },
    );
    // 25 Dec 00:00 CET = 24 Dec 23:00Z, two days; 31 Dec 00:00 EST = 05:00Z.
    expect(result.map((o) => [span(o), o.source, o.zone])).toEqual([
      ['2024-12-24T23:00:00Z 2024-12-26T23:00:00Z', 'payments-holidays', 'Europe/Berlin'],
      ['2024-12-31T05:00:00Z 2025-01-01T05:00:00Z', undefined, 'America/New_York'],
    ]);
  });

  it('cuts the holiday out of a deployment window, reading the pieces in the window zone', () => {
    const window = calendarEntry({
      zone: 'Europe/Berlin',
      start: '2024-12-24T20:00',
      duration: 'PT8H',
      recurrence: undefined,
      holidayRefs: ['payments-holidays'],
    });
    const result = expandOccurrences(
      window,
      utc('2024-12-01T00:00:00Z'),
      utc('2025-01-31T00:00:00Z'),
      {
        holidays,
      },
    );
    expect(result.map((o) => [span(o), o.localStart, o.localEnd])).toEqual([
      ['2024-12-24T19:00:00Z 2024-12-24T23:00:00Z', '2024-12-24T20:00', '2024-12-25T00:00'],
    ]);
  });

  it('refuses a reference to an entry it was not given', () => {
    const freeze = calendarEntry({ kind: 'freeze', holidayRefs: ['unknown'] });
    expect(fieldOf(() => expandOccurrences(freeze, 0, utc('2024-04-01T00:00:00Z')))).toBe(
      'holidayRefs',
    );
  });
});
