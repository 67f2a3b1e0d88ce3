import { ValidationError } from '@trainyard/kernel';
import type { CalendarEntryDefinition } from '../calendar/calendar-entry';
import { calendarFeed } from './calendar-feed';
import { diffImportedCalendar, isEmptyDiff } from './imported-calendar-diff';
import {
  importedEntryId,
  parseMaintenanceCalendar,
  type MaintenanceCalendarImportOptions,
} from './maintenance-calendar-import';
import { serviceOccurrences } from './test-support/occurrence-comparison';

const ics = (...events: string[]) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Example ITSM//Change Calendar//EN',
    ...events,
    'END:VCALENDAR',
    '',
  ].join('\r\n');

const vevent = (...lines: string[]) =>
  ['BEGIN:VEVENT', 'DTSTAMP:20260101T000000Z', ...lines, 'END:VEVENT'].join('\r\n');

const options: MaintenanceCalendarImportOptions = {
  defaultZone: 'Europe/Berlin',
  components: { from: 'categories', prefix: 'component:', fallback: ['unassigned'] },
  idPrefix: 'ics.itsm',
};

const weekly = vevent(
  'UID:CHG-1001@itsm.example',
  'SEQUENCE:2',
  'SUMMARY:DB patching',
  'CATEGORIES:component:db,component:api,change',
  'DTSTART;TZID=America/New_York:20260301T023000',
  'DTEND;TZID=America/New_York:20260301T043000',
  'RRULE:FREQ=WEEKLY;BYDAY=SU;UNTIL=20261231T045959Z',
  'EXDATE;TZID=America/New_York:20260315T023000,20260322T023000',
  'EXDATE:20260405T063000Z',
);

describe('parseMaintenanceCalendar', () => {
  it('keeps the TZID, the nominal local times, the RRULE (UNTIL local) and the EXDATEs', () => {
    const [window] = parseMaintenanceCalendar(ics(weekly), options);
    expect(window).toEqual({
      uid: 'CHG-1001@itsm.example',
      sequence: 2,
      cancelled: false,
      definition: {
        id: importedEntryId('ics.itsm', 'CHG-1001@itsm.example'),
        kind: 'maintenance-window',
        name: 'DB patching',
        zone: 'America/New_York',
        start: '2026-03-01T02:30',
        duration: 'PT2H',
        recurrence: {
          rule: 'FREQ=WEEKLY;BYDAY=SU;UNTIL=20261230T235959',
          // The UTC EXDATE is the same Sunday at 02:30 New York time.
          exceptions: ['2026-03-15T02:30', '2026-03-22T02:30', '2026-04-05T02:30'],
        },
        dstPolicy: { gap: 'shift', overlap: 'first' },
        scope: { components: ['db', 'api'] },
      },
    });
    expect(window?.definition.id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);
  });

  it('keeps a UTC-only event in UTC, reads floating times in the default zone, and makes all-day events whole local days', () => {
    const windows = parseMaintenanceCalendar(
      ics(
        vevent('UID:utc', 'DTSTART:20260601T220000Z', 'DURATION:PT3H'),
        vevent('UID:floating', 'DTSTART:20260602T010000', 'DTEND:20260602T013000'),
        vevent('UID:days', 'DTSTART;VALUE=DATE:20261224', 'DTEND;VALUE=DATE:20261227'),
        vevent('UID:one-day', 'DTSTART;VALUE=DATE:20261231'),
      ),
      options,
    );
    const byUid = new Map(windows.map((w) => [w.uid, w.definition]));
    expect(byUid.get('utc')).toMatchObject({
      zone: 'UTC',
      start: '2026-06-01T22:00',
      duration: 'PT3H',
    });
    expect(byUid.get('floating')).toMatchObject({
      zone: 'Europe/Berlin',
      start: '2026-06-02T01:00',
      duration: 'PT30M',
    });
    expect(byUid.get('days')).toMatchObject({
      zone: 'Europe/Berlin',
      start: '2026-12-24T00:00',
      duration: 'P3D',
      scope: { components: ['unassigned'] },
    });
    expect(byUid.get('one-day')).toMatchObject({ start: '2026-12-31T00:00', duration: 'P1D' });
  });

  it('refuses an event without DTSTART, naming its UID, and imports nothing', () => {
    const text = ics(weekly, vevent('UID:CHG-2002@itsm.example', 'SUMMARY:No start'));
    let error: unknown;
    try {
      parseMaintenanceCalendar(text, options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      field: 'content',
      message: 'The event CHG-2002@itsm.example has no DTSTART.',
    });
  });

  it('refuses every window the calendar would refuse, naming each event, and imports nothing', () => {
    const tooLong = (uid: string) =>
      vevent(`UID:${uid}`, 'DTSTART;TZID=Europe/Berlin:20260601T020000', 'DURATION:P400D');
    let error: unknown;
    try {
      parseMaintenanceCalendar(ics(weekly, tooLong('CHG-1'), tooLong('CHG-2')), options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const violations = (error as ValidationError).violations;
    expect(violations.map((v) => v.field)).toEqual(['content', 'content']);
    expect(violations.map((v) => v.message)).toEqual([
      expect.stringMatching(
        /^The event CHG-1 is not a valid maintenance window: duration must not /,
      ),
      expect.stringMatching(
        /^The event CHG-2 is not a valid maintenance window: duration must not /,
      ),
    ]);
  });

  it('reads a path-prefixed TZID as its IANA zone and refuses a Windows zone name, naming the event', () => {
    const [window] = parseMaintenanceCalendar(
      ics(
        vevent(
          'UID:moz',
          'DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260601T020000',
          'DURATION:PT1H',
        ),
      ),
      options,
    );
    expect(window?.definition.zone).toBe('Europe/Berlin');
    expect(() =>
      parseMaintenanceCalendar(
        ics(
          vevent(
            'UID:win',
            'DTSTART;TZID=W. Europe Standard Time:20260601T020000',
            'DURATION:PT1H',
          ),
        ),
        options,
      ),
    ).toThrow(/The event win uses the time zone W\. Europe Standard Time/);
  });

  it('maps components from LOCATION, an X- property, or a fixed list', () => {
    const event = vevent(
      'UID:m',
      'DTSTART:20260601T020000Z',
      'DURATION:PT1H',
      'LOCATION:payments-api, ledger',
      'X-COMPONENT:kafka',
    );
    const read = (components: MaintenanceCalendarImportOptions['components']) =>
      parseMaintenanceCalendar(ics(event), { ...options, components })[0]?.definition.scope;
    expect(read({ from: 'location' })).toEqual({ components: ['payments-api', 'ledger'] });
    expect(read({ from: 'property', property: 'X-COMPONENT' })).toEqual({ components: ['kafka'] });
    expect(read({ from: 'fixed', components: ['erp'] })).toEqual({ components: ['erp'] });
    expect(() => read({ from: 'categories' })).toThrow(/The event m names no component/);
  });

  it('turns a modified instance into an exception of its series and a window of its own', () => {
    const windows = parseMaintenanceCalendar(
      ics(
        weekly,
        vevent(
          'UID:CHG-1001@itsm.example',
          'RECURRENCE-ID;TZID=America/New_York:20260308T023000',
          'DTSTART;TZID=America/New_York:20260308T050000',
          'DTEND;TZID=America/New_York:20260308T060000',
          'CATEGORIES:component:db',
        ),
      ),
      options,
    );
    expect(windows.map((w) => w.uid)).toEqual([
      'CHG-1001@itsm.example',
      'CHG-1001@itsm.example#2026-03-08T02:30',
    ]);
    expect(windows[0]?.definition.recurrence?.exceptions).toContain('2026-03-08T02:30');
    expect(windows[1]?.definition).toMatchObject({ start: '2026-03-08T05:00', duration: 'PT1H' });
  });

  it('reads back Trainyard’s own feed with the same occurrences', () => {
    const definition: CalendarEntryDefinition = {
      id: 'mw-1',
      kind: 'maintenance-window',
      name: 'Ledger maintenance',
      zone: 'Australia/Lord_Howe',
      start: '2026-01-04T01:45',
      duration: 'PT1H30M',
      recurrence: {
        rule: 'FREQ=WEEKLY;BYDAY=SU;UNTIL=20261231',
        exceptions: ['2026-04-05T01:45'],
        additions: ['2026-02-11T22:00'],
      },
      dstPolicy: { gap: 'shift', overlap: 'first' },
      scope: { components: ['ledger'] },
    };
    const feed = calendarFeed(
      [{ definition, sequence: 1, retired: false, updatedAt: '2026-01-01T00:00:00Z' }],
      { calendarName: 'x', generatedAt: '2026-01-01T00:00:00Z' },
    );
    const [imported] = parseMaintenanceCalendar(feed, {
      ...options,
      components: { from: 'fixed', components: ['ledger'] },
    });
    const range = [Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z')] as const;
    expect(imported?.definition.zone).toBe('Australia/Lord_Howe');
    expect(imported && serviceOccurrences(imported.definition, ...range)).toEqual(
      serviceOccurrences(definition, ...range),
    );
  });
});

describe('diffImportedCalendar', () => {
  const first = parseMaintenanceCalendar(
    ics(
      weekly,
      vevent('UID:a', 'DTSTART:20260601T220000Z', 'DURATION:PT3H', 'SEQUENCE:0'),
      vevent('UID:b', 'DTSTART:20260602T220000Z', 'DURATION:PT3H'),
    ),
    options,
  );

  it('finds nothing when the calendar is read again unchanged', () => {
    expect(isEmptyDiff(diffImportedCalendar(first, first))).toBe(true);
  });

  it('reports added, changed and removed UIDs only', () => {
    const next = parseMaintenanceCalendar(
      ics(
        weekly,
        vevent('UID:a', 'DTSTART:20260601T230000Z', 'DURATION:PT3H', 'SEQUENCE:1'),
        vevent('UID:c', 'DTSTART:20260603T220000Z', 'DURATION:PT1H'),
      ),
      options,
    );
    const diff = diffImportedCalendar(first, next);
    expect(diff.added.map((w) => w.uid)).toEqual(['c']);
    expect(diff.changed.map((w) => [w.uid, w.previousSequence, w.sequence])).toEqual([['a', 0, 1]]);
    expect(diff.removed.map((w) => w.uid)).toEqual(['b']);
  });

  it('treats a cancelled event as removed, and a SEQUENCE bump without a new definition as no change', () => {
    const next = parseMaintenanceCalendar(
      ics(
        weekly
          .replace('SEQUENCE:2', 'SEQUENCE:3')
          .replace('SUMMARY:DB patching', 'SUMMARY:DB patching'),
        vevent(
          'UID:a',
          'DTSTART:20260601T220000Z',
          'DURATION:PT3H',
          'SEQUENCE:5',
          'DESCRIPTION:edited',
        ),
        vevent(
          'UID:b',
          'DTSTART:20260602T220000Z',
          'DURATION:PT3H',
          'STATUS:CANCELLED',
          'SEQUENCE:1',
        ),
      ),
      options,
    );
    const diff = diffImportedCalendar(first, next);
    expect(diff).toEqual({ added: [], changed: [], removed: [first.find((w) => w.uid === 'b')] });
  });
});
