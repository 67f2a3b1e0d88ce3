import fc from 'fast-check';
import { parseCron, cronMatchesDay, type CronSchedule } from '../cron/cron-expression';
import { previewSchedule } from './schedule-preview';
import { epochMsOf, wallTimeOf, type WallTime } from '../test-support/intl-wall-clock';

// Properties over zones with every kind of transition, starting the day before one, with hour
// fields that hit the gap or overlap often. The oracle is the runtime's Intl (ICU), never the
// resolver: a brute-force walk over every UTC minute.
const SCENARIOS = [
  { zone: 'America/New_York', from: '2024-03-09', hour: 2 }, // gap 02:00–02:59
  { zone: 'America/New_York', from: '2024-11-02', hour: 1 }, // overlap 01:00–01:59
  { zone: 'Europe/Berlin', from: '2024-03-30', hour: 2 },
  { zone: 'Europe/Berlin', from: '2024-10-26', hour: 2 },
  { zone: 'Australia/Lord_Howe', from: '2024-10-05', hour: 2 }, // gap 02:00–02:29
  { zone: 'Australia/Lord_Howe', from: '2024-04-06', hour: 1 }, // overlap 01:30–01:59
  { zone: 'Africa/Cairo', from: '2024-04-25', hour: 0 }, // gap 00:00–00:59
  { zone: 'Africa/Cairo', from: '2024-10-30', hour: 23 }, // overlap 23:00–23:59
  { zone: 'Africa/Cairo', from: '2023-04-27', hour: 0 },
  { zone: 'Africa/Cairo', from: '2023-10-25', hour: 23 },
  { zone: 'Pacific/Apia', from: '2011-12-28', hour: 12 }, // 30 December missing
  { zone: 'Asia/Kolkata', from: '2024-06-15', hour: 9 },
  { zone: 'UTC', from: '2024-06-15', hour: 0 },
];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const sometimes = (common: string, ...others: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(common) },
    { weight: 1, arbitrary: fc.constantFrom(...others) },
  );

const request = fc
  .record({
    scenario: fc.constantFrom(...SCENARIOS),
    minute: fc.constantFrom('0', '*/15', '5,35', '10-12', '30', '45'),
    span: fc.integer({ min: 0, max: 3 }),
    gap: fc.constantFrom('shift', 'skip'),
    overlap: fc.constantFrom('first', 'last', 'both'),
    dayOfMonth: sometimes('*', '1-10', '26,27,30,31', '*/2'),
    month: sometimes('*', '3,4,10,11,12', '*/2'),
    dayOfWeek: sometimes('*', '0', '1-5', '7', '4,5'),
    hourForm: fc.constantFrom('exact', 'pair', 'every', 'step'),
  })
  .map(({ scenario, minute, span, gap, overlap, dayOfMonth, month, dayOfWeek, hourForm }) => {
    const h = scenario.hour;
    const hour = { exact: `${h}`, pair: `${h},${(h + 1) % 24}`, every: '*', step: '0-23/5' }[
      hourForm
    ];
    return {
      cron: [minute, hour, dayOfMonth, month, dayOfWeek].join(' '),
      zone: scenario.zone,
      from: scenario.from,
      span,
      gap,
      overlap,
    };
  });

const addDays = (day: string, n: number): string =>
  new Date(epochMsOf(`${day}T00:00:00Z`) + n * 24 * HOUR).toISOString().slice(0, 10);
const dateOf = (w: WallTime): string =>
  `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
const matches = (s: CronSchedule, w: WallTime): boolean =>
  s.minutes.includes(w.minute) &&
  s.hours.includes(w.hour) &&
  cronMatchesDay(s, w.month, w.day, w.dayOfWeek);

/** Every UTC minute whose wall time in the zone matches, on local dates from..to: gap policy `skip`. */
const bruteForce = (s: CronSchedule, zone: string, from: string, to: string): number[] => {
  const found: number[] = [];
  const end = epochMsOf(`${addDays(to, 2)}T00:00:00Z`);
  for (let t = epochMsOf(`${addDays(from, -2)}T00:00:00Z`); t < end; t += MINUTE) {
    const w = wallTimeOf(t, zone);
    const date = dateOf(w);
    if (date >= from && date <= to && matches(s, w)) found.push(t);
  }
  return found;
};

const wallKey = (t: number, zone: string): string => JSON.stringify(wallTimeOf(t, zone));

describe('schedule preview properties', () => {
  it('is strictly ascending, and with gap skip equals the Intl walk under each overlap policy', () => {
    fc.assert(
      fc.property(request, ({ cron, zone, from, span, overlap }) => {
        const to = addDays(from, span);
        const got = previewSchedule({ cron, zone, from, to, gap: 'skip', overlap }).instants.map(
          epochMsOf,
        );
        expect(got.every((t, i) => i === 0 || t > (got[i - 1] as number))).toBe(true);
        const all = bruteForce(parseCron(cron), zone, from, to);
        // Group the walk's instants by wall time: an overlapped wall time has two.
        const byWall = new Map<string, number[]>();
        for (const t of all)
          byWall.set(wallKey(t, zone), [...(byWall.get(wallKey(t, zone)) ?? []), t]);
        const expected = [...byWall.values()]
          .flatMap((ts) =>
            overlap === 'both' ? ts : overlap === 'first' ? ts.slice(0, 1) : ts.slice(-1),
          )
          .sort((a, b) => a - b);
        expect(got).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('shifts only wall times that are not on the clock, each by the offset in force before the gap', () => {
    fc.assert(
      fc.property(request, ({ cron, zone, from, span, overlap }) => {
        const to = addDays(from, span);
        const schedule = parseCron(cron);
        const skipped = new Set(
          previewSchedule({ cron, zone, from, to, gap: 'skip', overlap }).instants,
        );
        const shifted = previewSchedule({ cron, zone, from, to, gap: 'shift', overlap }).instants;
        expect(shifted.every((iso, i) => i === 0 || iso > (shifted[i - 1] as string))).toBe(true);
        const offsetAt = (u: number): number => {
          const w = wallTimeOf(u, zone);
          return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - u;
        };
        const key = (w: WallTime) => JSON.stringify(w);
        for (const iso of shifted) {
          if (skipped.has(iso)) continue;
          // Not an instant of a matching wall time: a gap's wall time, read with the offset before it.
          const t = epochMsOf(iso);
          const nominalMs = t + offsetAt(t - 26 * HOUR);
          const nominal = wallTimeOf(nominalMs, 'UTC');
          expect(matches(schedule, nominal)).toBe(true);
          expect(dateOf(nominal) >= from && dateOf(nominal) <= to).toBe(true);
          // …and that wall time is not on the clock under either offset around the gap.
          const readings = [t, nominalMs - offsetAt(t)].map((u) => key(wallTimeOf(u, zone)));
          expect(readings).not.toContain(key(nominal));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('with overlap both, answers both instants of an overlapped wall time', () => {
    fc.assert(
      fc.property(request, ({ cron, zone, from, span, gap }) => {
        const to = addDays(from, span);
        const got = new Set(
          previewSchedule({ cron, zone, from, to, gap, overlap: 'both' }).instants.map(epochMsOf),
        );
        const twins = [...got].flatMap((t) =>
          [-HOUR, -HOUR / 2, HOUR / 2, HOUR]
            .map((delta) => t + delta)
            .filter((other) => wallKey(other, zone) === wallKey(t, zone)),
        );
        expect(twins.filter((other) => !got.has(other))).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
