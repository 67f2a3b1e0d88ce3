import { ValidationError } from '@trainyard/kernel';
import { previewSchedule, type PreviewScheduleRequest } from './schedule-preview';
import { parseCron } from '../cron/cron-expression';

const valid: PreviewScheduleRequest = {
  cron: '0 9 * * 1-5',
  zone: 'Europe/Berlin',
  from: '2024-01-01',
  to: '2024-01-07',
};

const refusal = (request: Partial<PreviewScheduleRequest>, max?: number): ValidationError => {
  try {
    previewSchedule({ ...valid, ...request }, max);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('schedule preview input', () => {
  it('answers weekday mornings in UTC with the defaults resolved', () => {
    expect(previewSchedule(valid)).toEqual({
      instants: [
        '2024-01-01T08:00:00Z',
        '2024-01-02T08:00:00Z',
        '2024-01-03T08:00:00Z',
        '2024-01-04T08:00:00Z',
        '2024-01-05T08:00:00Z',
      ],
      gap: 'shift',
      overlap: 'first',
    });
  });

  it('filters by instants when the bounds are RFC 3339 instants (both ends included)', () => {
    expect(
      previewSchedule({ ...valid, from: '2024-01-02T08:00:00Z', to: '2024-01-03T09:00:00+01:00' })
        .instants,
    ).toEqual(['2024-01-02T08:00:00Z', '2024-01-03T08:00:00Z']);
  });

  it('reads 7 as Sunday, and a day matches either restricted day field (Vixie cron)', () => {
    expect(parseCron('0 0 * * 7').daysOfWeek).toEqual(new Set([0]));
    // 1 June 2024 is a Saturday; Mondays are the 3rd, 10th, ….
    expect(
      previewSchedule({
        ...valid,
        cron: '0 12 1 * 1',
        zone: 'UTC',
        from: '2024-06-01',
        to: '2024-06-10',
      }).instants,
    ).toEqual(['2024-06-01T12:00:00Z', '2024-06-03T12:00:00Z', '2024-06-10T12:00:00Z']);
    // A `*`-led day-of-month field: both must match (odd days that are Mondays).
    expect(
      previewSchedule({
        ...valid,
        cron: '0 12 */2 * 1',
        zone: 'UTC',
        from: '2024-06-01',
        to: '2024-06-10',
      }).instants,
    ).toEqual(['2024-06-03T12:00:00Z']);
  });

  it.each<[string, Partial<PreviewScheduleRequest>]>([
    ['cron', { cron: '' }],
    ['cron', { cron: '0 9 * *' }],
    ['cron', { cron: '60 9 * * *' }],
    ['cron', { cron: '0 9 L * *' }],
    ['cron', { cron: '0 9 * * MON' }],
    ['cron', { cron: '*/0 9 * * *' }],
    ['zone', { zone: 'Mars/Olympus_Mons' }],
    ['zone', { zone: '+02:00' }],
    ['zone', { zone: '' }],
    ['from', { from: '2024-02-30' }],
    ['from', { from: 'yesterday' }],
    ['to', { to: '2024-01-01T25:00:00Z' }],
    ['to', { to: '2023-12-31' }],
    ['to', { from: '2024-01-02T00:00:00Z', to: '2024-01-01T23:59:59Z' }],
    ['to', { cron: '0 0 29 2 1', from: '2000-01-01', to: '2100-01-01' }],
    ['gap', { gap: 'later' }],
    ['overlap', { overlap: 'never' }],
  ])('refuses a bad %s (%j) naming the field in a whole sentence', (field, request) => {
    const error = refusal(request);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(new RegExp(`^${field} `));
  });

  it('names every bad field at once, in the order of the request', () => {
    const error = refusal({
      cron: '61 * * * *',
      zone: 'Mars/Olympus_Mons',
      from: 'yesterday',
      to: '2024-13-01',
      gap: 'later',
      overlap: 'never',
    });
    expect(error.violations.map((v) => v.field)).toEqual([
      'cron',
      'zone',
      'from',
      'to',
      'gap',
      'overlap',
    ]);
  });

  it('answers a sparse expression over a century', () => {
    // 29 February or a Monday, in February: the leap days and the February Mondays of 100 years.
    const { instants } = previewSchedule({
      ...valid,
      cron: '0 0 29 2 1',
      from: '2000-01-01',
      to: '2099-12-31',
    });
    expect(instants.length).toBeGreaterThan(400);
    // The first: Monday 7 February 2000, midnight CET (+01:00).
    expect(instants[0]).toBe('2000-02-06T23:00:00Z');
  });

  it('refuses a range of more than the limit of instants, naming to', () => {
    expect(refusal({ cron: '* * * * *', from: '2024-01-01', to: '2024-03-31' }).field).toBe('to');
    expect(refusal({ cron: '* * * * *', from: '2024-01-01', to: '2024-01-01' }, 1439).field).toBe(
      'to',
    );
    expect(
      previewSchedule({ ...valid, cron: '* * * * *', from: '2024-01-01', to: '2024-01-01' }, 1440)
        .instants,
    ).toHaveLength(1440);
  });
});
