import fc from 'fast-check';
import { wallTimeOf } from '../test-support/intl-wall-clock';
import { workingHoursIntervals } from './working-hours';

// Team working hours against the runtime's Intl (ICU), not the resolver: an instant lies in the
// working hours exactly when its wall time in the team's zone falls inside that weekday's hours.
// Boundaries are kept between 04:00 and 22:00 local, clear of every transition hour of these
// zones, where the gap policy (shift) deliberately differs from a wall-time reading.
const SCENARIOS = [
  { zone: 'America/New_York', from: '2024-03-06' },
  { zone: 'America/New_York', from: '2024-10-30' },
  { zone: 'Europe/Berlin', from: '2024-03-27' },
  { zone: 'Australia/Lord_Howe', from: '2024-10-02' },
  { zone: 'Africa/Cairo', from: '2024-04-22' },
  { zone: 'Pacific/Apia', from: '2011-12-26' },
  { zone: 'Asia/Kathmandu', from: '2024-06-10' },
];
const QUARTER = 15 * 60_000;
const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

const hours = fc.array(
  fc
    .record({
      day: fc.integer({ min: 0, max: 6 }),
      a: fc.integer({ min: 16, max: 88 }),
      b: fc.integer({ min: 16, max: 88 }),
    })
    .filter(({ a, b }) => a !== b)
    .map(({ day, a, b }) => ({ day, from: Math.min(a, b) * 15, to: Math.max(a, b) * 15 })),
  { minLength: 1, maxLength: 6 },
);

describe('working hours (property, Intl oracle)', () => {
  it('an instant is inside the UTC intervals exactly when its wall time is inside the weekly hours', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SCENARIOS), hours, (scenario, weekly) => {
        const from = Date.parse(`${scenario.from}T00:00:00Z`);
        const to = from + 10 * 86_400_000;
        const union = workingHoursIntervals(
          {
            zone: scenario.zone,
            weekly: weekly.map((h) => ({ day: h.day, from: hhmm(h.from), to: hhmm(h.to) })),
          },
          from,
          to,
        );
        const wrong: string[] = [];
        for (let t = from; t < to; t += QUARTER) {
          const wall = wallTimeOf(t, scenario.zone);
          const minute = wall.hour * 60 + wall.minute;
          const expected = weekly.some(
            (h) => h.day === wall.dayOfWeek && h.from <= minute && minute < h.to,
          );
          if (union.runAt(t) >= 0 !== expected) wrong.push(new Date(t).toISOString());
        }
        expect(wrong).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
