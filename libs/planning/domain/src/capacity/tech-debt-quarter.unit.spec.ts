import { allocate } from '../allocation/allocate';
import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import { candidate } from '../test-support/planning.fixtures';
import { calendarQuarter, quarterToDate } from './tech-debt-quarter';

describe('quarterly technical-debt reserve', () => {
  it('places an instant in its UTC calendar quarter', () => {
    expect(calendarQuarter('2031-02-14T08:00:00+01:00')).toEqual({
      start: '2031-01-01T00:00:00.000Z',
      end: '2031-04-01T00:00:00.000Z',
    });
    expect(calendarQuarter('2031-12-31T23:59:59Z').end).toBe('2032-01-01T00:00:00.000Z');
  });

  it('counts only the earlier releases of the same quarter, never the release itself', () => {
    const releases = [
      { releaseId: 'R-dec', windowStart: '2030-12-15T08:00:00Z', capacityTotal: 50, techDebt: 9 },
      { releaseId: 'R-jan', windowStart: '2031-01-05T08:00:00Z', capacityTotal: 40, techDebt: 3 },
      { releaseId: 'R-feb', windowStart: '2031-02-02T08:00:00Z', capacityTotal: 45, techDebt: 0 },
      { releaseId: 'R-mar', windowStart: '2031-03-02T08:00:00Z', capacityTotal: 30, techDebt: 5 },
    ];
    expect(quarterToDate('2031-03-02T08:00:00Z', releases, 'R-mar')).toEqual({
      capacity: 85,
      techDebt: 3,
    });
    expect(quarterToDate('2031-01-05T08:00:00Z', releases, 'R-jan')).toEqual({
      capacity: 0,
      techDebt: 0,
    });
  });

  it('reserves the quarter share less what the quarter already used, so the reserve is not spent twice', () => {
    const input = (quarter?: { capacity: number; techDebt: number }) =>
      allocate({
        release: { releaseId: 'R-mar', trainId: 'main' },
        candidates: [candidate({ workloadId: 'W-1', changeType: 'technical-debt', jobSize: 3 })],
        capacityByTeam: { payments: 50 },
        policy: {
          ...DEFAULT_PLANNING_POLICY,
          allocation: { teamCapShare: 1, techDebtReserveShare: 0.2 },
        },
        ...(quarter ? { quarterToDate: quarter } : {}),
      }).techDebt.reserve;
    expect(input()).toBe(10);
    // 20% of (100 earlier + 50 now) = 30, of which 25 already used this quarter.
    expect(input({ capacity: 100, techDebt: 25 })).toBe(5);
    expect(input({ capacity: 100, techDebt: 40 })).toBe(0);
  });
});
