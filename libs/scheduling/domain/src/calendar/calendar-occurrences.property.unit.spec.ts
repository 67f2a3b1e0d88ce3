import fc from 'fast-check';
import { calendarEntry } from '../test-support/calendar.fixtures';
import { wallTimeOf } from '../test-support/intl-wall-clock';
import { expandIntervals, expandOccurrences } from './calendar-occurrences';

const ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'Pacific/Apia',
  'Africa/Cairo',
  'UTC',
];
const HOUR = 3_600_000;
const p = (n: number, width = 2) => String(n).padStart(width, '0');
const reads = (ms: number, zone: string) => {
  const w = wallTimeOf(ms, zone);
  return `${p(w.year, 4)}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}`;
};
const asLocalMs = (local: string) => Date.parse(`${local}:00Z`);

const definitions = fc.record({
  zone: fc.constantFrom(...ZONES),
  day: fc.integer({ min: 0, max: 3 * 365 }),
  minuteOfDay: fc.integer({ min: 0, max: 1439 }),
  durationMinutes: fc.integer({ min: 1, max: 3 * 24 * 60 }),
  rule: fc.constantFrom(
    'FREQ=DAILY',
    'FREQ=WEEKLY;BYDAY=SU,WE',
    'FREQ=HOURLY;INTERVAL=7',
    'FREQ=MONTHLY;BYMONTHDAY=1,-1',
  ),
  gap: fc.constantFrom('shift' as const, 'skip' as const),
  overlap: fc.constantFrom('first' as const, 'last' as const, 'both' as const),
});

const build = (d: typeof definitions extends fc.Arbitrary<infer T> ? T : never) => {
  const startMs = Date.parse('2010-01-01T00:00:00Z') + d.day * 86_400_000 + d.minuteOfDay * 60_000;
  return calendarEntry({
    zone: d.zone,
    start: new Date(startMs).toISOString().slice(0, 16),
    duration: `PT${d.durationMinutes}M`,
    recurrence: { rule: d.rule },
    dstPolicy: { gap: d.gap, overlap: d.overlap },
  });
};

const range = fc.record({
  fromDay: fc.integer({ min: 0, max: 4 * 365 }),
  days: fc.integer({ min: 1, max: 90 }),
});
const bounds = (r: { fromDay: number; days: number }) => {
  const from = Date.parse('2010-01-01T00:00:00Z') + r.fromDay * 86_400_000;
  return [from, from + r.days * 86_400_000] as const;
};

describe('occurrences (properties)', () => {
  it('ascend strictly, stay inside [from, to) and end after they start', () => {
    fc.assert(
      fc.property(definitions, range, (d, r) => {
        const [from, to] = bounds(r);
        const starts = expandIntervals(build(d), from, to);
        starts.forEach((o, i) => {
          expect(o.start).toBeGreaterThanOrEqual(from);
          expect(o.start).toBeLessThan(to);
          expect(o.end).toBeGreaterThan(o.start);
          expect(i === 0 || o.start > starts[i - 1]!.start).toBe(true);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('honour the duration in wall time: the local end is the local start plus the duration, and instants read those wall times unless a gap moved them forward', () => {
    fc.assert(
      fc.property(definitions, range, (d, r) => {
        const [from, to] = bounds(r);
        const definition = build(d);
        for (const o of expandOccurrences(definition, from, to)) {
          expect(asLocalMs(o.localEnd) - asLocalMs(o.localStart)).toBe(d.durationMinutes * 60_000);
          const startReads = asLocalMs(reads(Date.parse(o.start), d.zone));
          const endReads = asLocalMs(reads(Date.parse(o.end), d.zone));
          // Equal, or later by at most a day when the wall time fell into a gap (Apia skipped one).
          expect(startReads - asLocalMs(o.localStart)).toBeGreaterThanOrEqual(0);
          expect(startReads - asLocalMs(o.localStart)).toBeLessThanOrEqual(24 * HOUR);
          expect(startReads === asLocalMs(o.localStart) || d.gap === 'shift').toBe(true);
          expect(endReads - asLocalMs(o.localEnd)).toBeGreaterThanOrEqual(0);
          expect(endReads - asLocalMs(o.localEnd)).toBeLessThanOrEqual(24 * HOUR);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('include every occurrence starting inside the range in the overlap view too', () => {
    fc.assert(
      fc.property(definitions, range, (d, r) => {
        const [from, to] = bounds(r);
        const definition = build(d);
        const overlapping = expandIntervals(definition, from, to, { mode: 'overlap' });
        const keys = new Set(overlapping.map((o) => `${o.start}/${o.end}`));
        for (const o of expandIntervals(definition, from, to))
          expect(keys.has(`${o.start}/${o.end}`)).toBe(true);
        for (const o of overlapping) expect(o.end > from && o.start < to).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('the fast path for simple rules', () => {
  it('answers exactly what ical.js answers', () => {
    const rules = fc.oneof(
      fc.record({
        freq: fc.constantFrom('HOURLY', 'DAILY', 'WEEKLY'),
        interval: fc.integer({ min: 1, max: 5 }),
        count: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
        byDay: fc.option(
          fc.subarray(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], { minLength: 1 }),
          { nil: undefined },
        ),
        wkst: fc.option(fc.constantFrom('MO', 'SU', 'WE'), { nil: undefined }),
        untilDays: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(definitions, range, rules, (d, r, rule) => {
        const base = build(d);
        const start = Date.parse(`${base.start}:00Z`);
        const parts = [`FREQ=${rule.freq}`, `INTERVAL=${rule.interval}`];
        if (rule.count !== undefined) parts.push(`COUNT=${rule.count}`);
        if (rule.freq === 'WEEKLY' && rule.byDay) parts.push(`BYDAY=${rule.byDay.join(',')}`);
        if (rule.wkst) parts.push(`WKST=${rule.wkst}`);
        if (rule.untilDays !== undefined)
          parts.push(
            `UNTIL=${new Date(start + rule.untilDays * 86_400_000 + 3_600_000).toISOString().slice(0, 19).replace(/[-:]/g, '')}`,
          );
        const definition = { ...base, recurrence: { rule: parts.join(';') } };
        const [from, to] = bounds({ fromDay: r.fromDay % 500, days: Math.min(r.days, 20) });
        expect(expandIntervals(definition, from, to)).toEqual(
          expandIntervals(definition, from, to, { engine: 'ical' }),
        );
      }),
      { numRuns: 120 },
    );
  });
});
