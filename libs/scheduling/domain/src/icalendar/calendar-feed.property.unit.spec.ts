import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import type { CalendarEntryDefinition } from '../calendar/calendar-entry';
import { calendarFeed } from './calendar-feed';
import { formatLocal } from './ical-text';
import { parseFeedWithNodeIcal } from './test-support/feed-round-trip';
import { expectSameOccurrences, serviceOccurrences } from './test-support/occurrence-comparison';

const ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Europe/London',
  'Australia/Lord_Howe',
  'Australia/Sydney',
  'Africa/Cairo',
  'Pacific/Apia',
  'Asia/Kolkata',
  'America/Sao_Paulo',
  'UTC',
];
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const FROM = new Date('2026-01-01T00:00:00Z');
const TO = new Date('2028-12-31T23:59:59Z');

const rule = fc.oneof(
  fc.record({ freq: fc.constant('DAILY'), interval: fc.integer({ min: 1, max: 3 }) }),
  fc.record({
    freq: fc.constant('WEEKLY'),
    interval: fc.integer({ min: 1, max: 2 }),
    byDay: fc.uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: 3 }),
  }),
);
const end = fc.oneof(
  fc.record({ count: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ untilDays: fc.integer({ min: 0, max: 400 }) }),
);

const definitionArb = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    dayOfYear: fc.integer({ min: 0, max: 364 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.constantFrom(0, 15, 30, 45),
    minutes: fc.integer({ min: 1, max: 32 }).map((q) => q * 15),
    rule,
    end,
    exceptionPicks: fc.array(fc.nat(), { maxLength: 4 }),
    dstPolicy: fc.record({
      gap: fc.constantFrom('shift' as const, 'skip' as const),
      overlap: fc.constantFrom('first' as const, 'last' as const, 'both' as const),
    }),
  })
  .map(({ zone, dayOfYear, hour, minute, minutes, rule, end, exceptionPicks, dstPolicy }) => {
    const start = Temporal.PlainDateTime.from({ year: 2026, month: 1, day: 1, hour, minute }).add({
      days: dayOfYear,
    });
    const parts = [`FREQ=${rule.freq}`, `INTERVAL=${rule.interval}`];
    // DTSTART in step with the rule: RFC 5545 leaves any other recurrence set undefined.
    const startDay = DAYS[start.dayOfWeek - 1] ?? 'MO';
    if ('byDay' in rule) parts.push(`BYDAY=${[...new Set([startDay, ...rule.byDay])].join(',')}`);
    if ('count' in end) parts.push(`COUNT=${end.count}`);
    else
      parts.push(
        `UNTIL=${start.toPlainDate().add({ days: end.untilDays }).toString().replace(/-/g, '')}`,
      );
    const base: CalendarEntryDefinition = {
      id: 'generated',
      kind: 'maintenance-window',
      name: 'generated',
      zone,
      start: formatLocal(start),
      duration: `PT${minutes}M`,
      recurrence: { rule: parts.join(';') },
      dstPolicy,
      scope: { components: ['ledger'] },
    };
    // EXDATEs are nominal local starts of the rule's own occurrences.
    const all = serviceOccurrences(base, FROM.getTime(), TO.getTime());
    const exceptions = [
      ...new Set(
        exceptionPicks
          .filter(() => all.length > 0)
          .map((i) => all[i % all.length]?.localStart ?? ''),
      ),
    ];
    return { ...base, recurrence: { rule: parts.join(';'), exceptions } };
  });

/** node-ical reads from the feed of `definition` the occurrences the service computes. */
const expectNodeIcalReadsServiceOccurrences = (definition: CalendarEntryDefinition): void => {
  const text = calendarFeed(
    [{ definition, sequence: 0, retired: false, updatedAt: '2026-01-01T00:00:00Z' }],
    {
      calendarName: 'generated',
      generatedAt: '2026-01-01T00:00:00Z',
      policyHorizonDays: { before: 1, after: 1200 },
    },
  );
  const [event] = parseFeedWithNodeIcal(text, FROM, TO);
  expectSameOccurrences(
    definition,
    event?.occurrences ?? [],
    serviceOccurrences(definition, FROM.getTime(), TO.getTime()),
  );
};

describe('calendarFeed read back by node-ical, over generated definitions', () => {
  it('names, for every entry, the occurrences the service computes (weekly and daily rules, DST zones and policies, EXDATEs)', () => {
    fc.assert(fc.property(definitionArb, expectNodeIcalReadsServiceOccurrences), {
      numRuns: 40,
    });
  });

  it.each(['first', 'last', 'both'] as const)(
    'drops an EXDATE on a wall time the fall-back overlap repeats (overlap %s; found by the property, seed 966133119)',
    (overlap) => {
      expect.hasAssertions();
      expectNodeIcalReadsServiceOccurrences({
        id: 'generated',
        kind: 'maintenance-window',
        name: 'generated',
        zone: 'America/New_York',
        start: '2026-10-05T01:00',
        duration: 'PT15M',
        recurrence: { rule: 'FREQ=DAILY;INTERVAL=1;COUNT=28', exceptions: ['2026-11-01T01:00'] },
        dstPolicy: { gap: 'shift', overlap },
        scope: { components: ['ledger'] },
      });
    },
  );

  it('keeps every line within 75 octets and ends it with CRLF, whatever the names', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (name) => {
        const text = calendarFeed(
          [
            {
              definition: {
                id: 'n',
                kind: 'freeze',
                name,
                zone: 'Europe/Berlin',
                start: '2026-05-01T10:00',
                duration: 'PT1H',
                dstPolicy: { gap: 'shift', overlap: 'first' },
                scope: { teams: [name] },
              },
              sequence: 0,
              retired: false,
              updatedAt: '2026-01-01T00:00:00Z',
            },
          ],
          { calendarName: name, generatedAt: '2026-01-01T00:00:00Z' },
        );
        expect(text.endsWith('\r\n')).toBe(true);
        for (const line of text.slice(0, -2).split('\r\n')) {
          expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
          expect(line).not.toMatch(/[\r\n]/);
        }
      }),
      { numRuns: 100 },
    );
  });
});
