import { dueSlots, slotIdempotencyKey, slotVerdict } from './job-run.slots';

const at = (iso: string) => Date.parse(iso);

describe('schedule slots', () => {
  it('interval slots are multiples of the interval since the epoch, after exclusive, until inclusive', () => {
    const slots = dueSlots(
      { everySeconds: 60 },
      at('2026-12-01T09:00:00Z'),
      at('2026-12-01T09:03:00Z'),
    );
    expect(slots.map((t) => new Date(t).toISOString())).toEqual([
      '2026-12-01T09:01:00.000Z',
      '2026-12-01T09:02:00.000Z',
      '2026-12-01T09:03:00.000Z',
    ]);
  });
  it('cron slots follow the zone and the DST policy (Berlin spring-forward gap, shift)', () => {
    const slots = dueSlots(
      { cron: '30 2 * * *', zone: 'Europe/Berlin' },
      at('2026-03-28T00:00:00Z'),
      at('2026-03-30T00:00:00Z'),
    );
    // 02:30 on 29 March does not exist; shift reads it as 03:30 CEST = 01:30Z.
    expect(slots.map((t) => new Date(t).toISOString())).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z',
    ]);
  });
  it('cron slots under gap skip drop the nonexistent wall time', () => {
    const slots = dueSlots(
      { cron: '30 2 * * *', zone: 'Europe/Berlin', gap: 'skip' },
      at('2026-03-28T00:00:00Z'),
      at('2026-03-30T00:00:00Z'),
    );
    expect(slots.map((t) => new Date(t).toISOString())).toEqual(['2026-03-28T01:30:00.000Z']);
  });
  it('an every-minute cron answers a one-second tick and a three-day catch-up alike (day windows)', () => {
    const everyMinute = { cron: '* * * * *', zone: 'UTC' };
    expect(
      dueSlots(everyMinute, at('2026-12-01T09:00:59.500Z'), at('2026-12-01T09:01:00.200Z')),
    ).toEqual([at('2026-12-01T09:01:00Z')]);
    expect(
      dueSlots(everyMinute, at('2026-12-01T09:01:00.200Z'), at('2026-12-01T09:01:01Z')),
    ).toEqual([]);
    const slots = dueSlots(
      everyMinute,
      at('2026-12-01T00:00:00Z'),
      at('2026-12-04T00:00:00Z'),
      10_000,
    );
    expect(slots).toHaveLength(3 * 1440);
    expect(slots.every((t, i) => t === at('2026-12-01T00:01:00Z') + i * 60_000)).toBe(true);
    expect(
      dueSlots(everyMinute, at('2026-12-01T00:00:00Z'), at('2026-12-04T00:00:00Z')),
    ).toHaveLength(1_000);
  });
  it('caps the slots of one tick', () => {
    expect(dueSlots({ everySeconds: 1 }, 0, 10_000, 3)).toEqual([1000, 2000, 3000]);
    expect(dueSlots({ everySeconds: 1 }, 5000, 5000)).toEqual([]);
  });
  it('classifies a slot by its lag: on time, catch-up inside the window, missed outside', () => {
    expect(slotVerdict(500, 0, 30_000)).toEqual({ kind: 'fire', trigger: 'schedule' });
    expect(slotVerdict(120_000, 300, 30_000)).toEqual({ kind: 'fire', trigger: 'catch-up' });
    expect(slotVerdict(301_000, 300, 30_000)).toEqual({ kind: 'missed' });
  });
  it('the idempotency key is the job and the nominal time', () => {
    expect(slotIdempotencyKey('a.b.c', at('2026-12-01T09:00:00Z'))).toBe(
      'a.b.c@2026-12-01T09:00:00.000Z',
    );
  });
});
