import type { CalendarEntryDefinition } from '../calendar/calendar-entry';
import { calendarFeed, type CalendarFeedEntry } from './calendar-feed';
import { parseFeedWithNodeIcal, type ParsedEvent } from './test-support/feed-round-trip';
import { expectSameOccurrences, serviceOccurrences } from './test-support/occurrence-comparison';

const FROM = new Date('2026-01-01T00:00:00Z');
const TO = new Date('2027-12-31T23:59:59Z');
const DEFAULT_POLICY = { gap: 'shift', overlap: 'first' } as const;

const entry = (
  definition: Partial<CalendarEntryDefinition> & Pick<CalendarEntryDefinition, 'id'>,
  life: Partial<Omit<CalendarFeedEntry, 'definition'>> = {},
): CalendarFeedEntry => ({
  definition: {
    kind: 'maintenance-window',
    name: definition.id,
    zone: 'UTC',
    start: '2026-01-05T09:00',
    duration: 'PT1H',
    dstPolicy: DEFAULT_POLICY,
    scope: { components: ['ledger'] },
    ...definition,
  },
  sequence: 0,
  retired: false,
  updatedAt: '2026-01-01T00:00:00Z',
  ...life,
});

const feed = (entries: CalendarFeedEntry[]) =>
  calendarFeed(entries, { calendarName: 'Trainyard', generatedAt: '2026-02-01T10:00:00Z' });

const roundTrip = (entries: CalendarFeedEntry[]): Map<string, ParsedEvent> =>
  new Map(parseFeedWithNodeIcal(feed(entries), FROM, TO).map((e) => [e.uid, e]));

/** The feed read by node-ical names, for each entry, the instants the service computes. */
const expectRoundTrip = (entries: CalendarFeedEntry[]) => {
  const parsed = roundTrip(entries);
  for (const e of entries) {
    const event = parsed.get(`${e.definition.id}@trainyard`);
    expect(event).toBeDefined();
    expectSameOccurrences(
      e.definition,
      event?.occurrences ?? [],
      serviceOccurrences(e.definition, FROM.getTime(), TO.getTime()),
    );
  }
  return parsed;
};

describe('calendarFeed read back by node-ical (an independent parser and RRULE expander)', () => {
  it('a weekly New York window through both DST changes, with EXDATEs and an RDATE', () => {
    const parsed = expectRoundTrip([
      entry({
        id: 'mw-ny',
        zone: 'America/New_York',
        // 02:30 on the spring-forward Sunday does not exist (shifted to 03:30 EDT).
        start: '2026-03-01T02:30',
        duration: 'PT2H',
        recurrence: {
          rule: 'FREQ=WEEKLY;BYDAY=SU;UNTIL=20261231',
          exceptions: ['2026-03-15T02:30', '2026-07-05T02:30'],
          additions: ['2026-03-18T22:00'],
        },
      }),
    ]);
    const occurrences = parsed.get('mw-ny@trainyard')?.occurrences ?? [];
    const starts = occurrences.map((o) => new Date(o.start).toISOString());
    expect(starts).toContain('2026-03-08T07:30:00.000Z'); // the gap: 03:30 EDT
    expect(starts).not.toContain('2026-03-15T06:30:00.000Z'); // excepted
    expect(starts).toContain('2026-03-19T02:00:00.000Z'); // the RDATE
    expect(starts[starts.length - 1]).toBe('2026-12-27T07:30:00.000Z');
  });

  it('a daily New York window at 01:30, inside the fall-back overlap: its first instant', () => {
    const parsed = expectRoundTrip([
      entry({
        id: 'ny-overlap',
        zone: 'America/New_York',
        start: '2026-10-30T01:30',
        duration: 'PT30M',
        recurrence: { rule: 'FREQ=DAILY;COUNT=4' },
      }),
    ]);
    const starts = parsed.get('ny-overlap@trainyard')?.occurrences.map((o) => o.start) ?? [];
    expect(starts.map((s) => new Date(s).toISOString())).toEqual([
      '2026-10-30T05:30:00.000Z',
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z', // 01:30 EDT, the first of the two
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  // expectRoundTrip asserts.
  // eslint-disable-next-line jest/expect-expect
  it('a daily Berlin window at 02:30 over two years', () => {
    expectRoundTrip([
      entry({
        id: 'berlin',
        zone: 'Europe/Berlin',
        start: '2026-01-01T02:30',
        duration: 'PT1H',
        recurrence: { rule: 'FREQ=DAILY', exceptions: ['2026-03-29T02:30', '2026-12-24T02:30'] },
      }),
    ]);
  });

  // eslint-disable-next-line jest/expect-expect
  it('Lord Howe (a 30-minute DST shift) weekly on Sundays at 02:15', () => {
    expectRoundTrip([
      entry({
        id: 'lord-howe',
        zone: 'Australia/Lord_Howe',
        start: '2026-01-04T02:15',
        duration: 'PT45M',
        recurrence: { rule: 'FREQ=WEEKLY;BYDAY=SU;COUNT=100' },
      }),
    ]);
  });

  // eslint-disable-next-line jest/expect-expect
  it('Cairo (a change at midnight) every Friday at 00:00', () => {
    expectRoundTrip([
      entry({
        id: 'cairo',
        zone: 'Africa/Cairo',
        start: '2026-01-02T00:00',
        duration: 'PT3H',
        recurrence: { rule: 'FREQ=WEEKLY;INTERVAL=1;BYDAY=FR;UNTIL=20271231T000000' },
      }),
    ]);
  });

  it('a UTC freeze, a one-off Apia window and an all-day holiday', () => {
    const parsed = expectRoundTrip([
      entry({ id: 'utc', kind: 'freeze', start: '2026-12-20T00:00', duration: 'P14D' }),
      entry({ id: 'apia', zone: 'Pacific/Apia', start: '2026-06-30T23:00', duration: 'PT2H' }),
      entry({
        id: 'xmas',
        kind: 'holiday',
        zone: 'Europe/Berlin',
        start: '2026-12-25T00:00',
        duration: 'P2D',
        recurrence: { rule: 'FREQ=YEARLY' },
      }),
    ]);
    expect(parsed.get('utc@trainyard')?.tzid).toBeUndefined();
    expect(parsed.get('xmas@trainyard')?.occurrences.every((o) => o.allDay)).toBe(true);
  });

  it('DST policies other than RFC 5545’s (gap skip, overlap last or both) are exact through UTC EXDATE/RDATE', () => {
    const daily = (id: string, start: string, dstPolicy: CalendarEntryDefinition['dstPolicy']) =>
      entry({
        id,
        zone: 'America/New_York',
        start,
        duration: 'PT20M',
        recurrence: { rule: 'FREQ=DAILY;UNTIL=20271231' },
        dstPolicy,
      });
    const parsed = expectRoundTrip([
      daily('skip', '2026-01-01T02:30', { gap: 'skip', overlap: 'first' }),
      daily('last', '2026-01-01T01:30', { gap: 'shift', overlap: 'last' }),
      daily('both', '2026-01-01T01:30', { gap: 'shift', overlap: 'both' }),
    ]);
    const starts = (uid: string) =>
      (parsed.get(`${uid}@trainyard`)?.occurrences ?? []).map((o) =>
        new Date(o.start).toISOString(),
      );
    expect(starts('skip')).not.toContain('2026-03-08T07:30:00.000Z');
    expect(starts('last')).toContain('2026-11-01T06:30:00.000Z');
    expect(starts('last')).not.toContain('2026-11-01T05:30:00.000Z');
    expect(starts('both')).toEqual(
      expect.arrayContaining(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']),
    );
  });

  it('SEQUENCE is the change count, a retired entry is CANCELLED, SUMMARY and CATEGORIES say the kind', () => {
    const parsed = roundTrip([
      entry({ id: 'f-1', kind: 'freeze', name: 'Quarter close' }, { sequence: 3, retired: true }),
      entry({ id: 'd-1', kind: 'deployment-window', name: 'Tuesday slot' }, { sequence: 1 }),
    ]);
    expect(parsed.get('f-1@trainyard')).toMatchObject({
      sequence: 3,
      status: 'CANCELLED',
      summary: 'Freeze: Quarter close',
      categories: ['FREEZE', 'TRAINYARD'],
    });
    expect(parsed.get('d-1@trainyard')).toMatchObject({
      sequence: 1,
      status: 'CONFIRMED',
      summary: 'Deployment window: Tuesday slot',
      categories: ['DEPLOYMENT-WINDOW', 'TRAINYARD'],
    });
  });
});
