import { RuleViolation } from '@trainyard/kernel';
import type { CalendarEntryDefinition } from '../calendar/calendar-entry';
import { calendarFeed, scopeAllows, type CalendarFeedEntry } from './calendar-feed';
import { unfold } from './ical-text';

const entry = (
  definition: Partial<CalendarEntryDefinition> & Pick<CalendarEntryDefinition, 'id'>,
  life: Partial<Omit<CalendarFeedEntry, 'definition'>> = {},
): CalendarFeedEntry => ({
  definition: {
    kind: 'deployment-window',
    name: definition.id,
    zone: 'Europe/Berlin',
    start: '2026-01-05T09:00',
    duration: 'PT2H',
    dstPolicy: { gap: 'shift', overlap: 'first' },
    scope: {},
    ...definition,
  },
  sequence: 0,
  retired: false,
  updatedAt: '2026-01-01T00:00:00Z',
  ...life,
});

const feed = (entries: CalendarFeedEntry[], filter = {}) =>
  calendarFeed(entries, {
    calendarName: 'Trainyard releases',
    generatedAt: '2026-02-01T10:00:00Z',
    filter,
  });

const octets = (line: string) => Buffer.byteLength(line, 'utf8');
const lines = (text: string) => unfold(text).split('\r\n');
const uids = (text: string) =>
  lines(text)
    .filter((l) => l.startsWith('UID:'))
    .map((l) => l.slice(4));

describe('calendarFeed', () => {
  it('is a PUBLISH calendar with PRODID, VERSION 2.0 and the calendar name', () => {
    const text = feed([entry({ id: 'd-1' })]);
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(lines(text)).toEqual(
      expect.arrayContaining([
        'PRODID:-//Trainyard//Scheduling Calendar 1.0//EN',
        'VERSION:2.0',
        'METHOD:PUBLISH',
        'X-WR-CALNAME:Trainyard releases',
      ]),
    );
  });

  it('folds every line at 75 octets, never inside a character, and ends each with CRLF', () => {
    const name = 'Wartungsfenster für Zahlungsverkehr — 週末メンテナンス 🚂 '.repeat(6);
    const text = feed([entry({ id: 'd-1', name })]);
    expect(text.split('\r\n').every((line) => octets(line) <= 75)).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text).not.toContain('\uFFFD');
    expect(lines(text)).toContain(`SUMMARY:Deployment window: ${name}`);
  });

  it('writes local times with the entry’s TZID and one VTIMEZONE for every TZID used', () => {
    const text = feed([
      entry({ id: 'a', zone: 'America/New_York' }),
      entry({ id: 'b', zone: 'America/New_York' }),
      entry({ id: 'c', zone: 'Australia/Lord_Howe' }),
      entry({ id: 'd', zone: 'UTC' }),
    ]);
    const used = new Set([...unfold(text).matchAll(/;TZID=([^:;]+)[:;]/g)].map((m) => m[1] ?? ''));
    const defined = lines(text)
      .filter((l) => l.startsWith('TZID:'))
      .map((l) => l.slice(5));
    expect([...used].sort()).toEqual(['America/New_York', 'Australia/Lord_Howe']);
    expect(defined.sort()).toEqual(['America/New_York', 'Australia/Lord_Howe']);
    expect(lines(text)).toContain('DTSTART;TZID=America/New_York:20260105T090000');
    expect(lines(text)).toContain('DTSTART:20260105T090000Z');
  });

  it('names an alias zone by its canonical TZID', () => {
    const text = feed([entry({ id: 'a', zone: 'US/Eastern' })]);
    expect(lines(text)).toContain('DTSTART;TZID=America/New_York:20260105T090000');
    expect(lines(text)).toContain('TZID:America/New_York');
  });

  it('writes a local date UNTIL as the UTC instant of that local date at 00:00, as the calendar reads it', () => {
    const text = feed([
      entry({
        id: 'w',
        zone: 'America/New_York',
        recurrence: { rule: 'FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20260630' },
      }),
    ]);
    expect(lines(text)).toContain(
      'RRULE:FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=9;BYMINUTE=0;UNTIL=20260630T040000Z',
    );
  });

  it('keeps the UID stable and orders events by entry id', () => {
    const a = feed([entry({ id: 'b' }), entry({ id: 'a' })]);
    const b = feed([entry({ id: 'a' }), entry({ id: 'b' }, { sequence: 4 })]);
    expect(uids(a)).toEqual(['a@trainyard', 'b@trainyard']);
    expect(uids(b)).toEqual(uids(a));
  });

  it('filters by train, team, environment and component: an entry is in when its scope allows the value', () => {
    const entries = [
      entry({ id: 'everyone' }),
      entry({ id: 'payments', scope: { teams: ['payments'] } }),
      entry({ id: 'prod-db', scope: { environments: ['prod'], components: ['db'] } }),
      entry({ id: 'train-7', scope: { trains: ['T7'], teams: [] } }),
    ];
    expect(uids(feed(entries, { team: 'payments' }))).toEqual([
      'everyone@trainyard',
      'payments@trainyard',
      'prod-db@trainyard',
      'train-7@trainyard',
    ]);
    expect(uids(feed(entries, { team: 'search', component: 'db' }))).toEqual([
      'everyone@trainyard',
      'prod-db@trainyard',
      'train-7@trainyard',
    ]);
    expect(uids(feed(entries, { environment: 'staging', train: 'T8' }))).toEqual([
      'everyone@trainyard',
      'payments@trainyard',
    ]);
    expect(scopeAllows({ components: ['db'] }, { component: 'api' })).toBe(false);
  });

  it('refuses an entry whose zone has no VTIMEZONE rather than writing a TZID nobody can read', () => {
    expect(() => feed([entry({ id: 'x', zone: 'Mars/Olympus_Mons' })])).toThrow(RuleViolation);
  });

  it('is the same text for the same entries and clock', () => {
    const entries = [entry({ id: 'a', zone: 'Asia/Kolkata' }), entry({ id: 'b', kind: 'freeze' })];
    expect(feed(entries)).toBe(feed(entries));
  });
});
