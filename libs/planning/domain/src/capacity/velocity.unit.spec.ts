import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import type { ReleaseHistoryEntry } from './velocity';
import { capacityByTeam, capacityFromHistory, coldStartCapacity, percentile } from './velocity';

const closed = (
  releaseId: string,
  closedAt: string,
  teams: Record<string, number>,
  kind: 'train' | 'emergency' = 'train',
): ReleaseHistoryEntry => ({
  releaseId,
  trainId: kind === 'train' ? 'main' : 'hotfix',
  kind,
  closedAt,
  teams: Object.entries(teams).map(([team, completedJobSize]) => ({
    team,
    completedJobSize,
    unplannedJobSize: 0,
    plannedJobSize: completedJobSize,
  })),
});

describe('capacity from history', () => {
  it('interpolates percentiles between closest ranks', () => {
    expect(percentile([10, 20, 30], 30)).toBeCloseTo(16);
    expect(percentile([30, 10, 20], 50)).toBe(20);
    expect(percentile([7], 30)).toBe(7);
    expect(percentile([], 30)).toBeNaN();
  });

  it('uses the conservative p30 of the last three closed releases, rounded down', () => {
    const history = [
      closed('R-1', '2026-01-15T00:00:00Z', { payments: 100 }), // outside the window
      closed('R-2', '2026-02-15T00:00:00Z', { payments: 10 }),
      closed('R-3', '2026-03-15T00:00:00Z', { payments: 20 }),
      closed('R-4', '2026-04-15T00:00:00Z', { payments: 30 }),
    ];
    const estimate = capacityFromHistory({ history, teams: ['payments'] });
    expect(estimate.releasesConsidered).toEqual(['R-4', 'R-3', 'R-2']);
    expect(estimate.teams).toEqual([
      {
        team: 'payments',
        capacity: 16,
        basis: 'history',
        samples: [30, 20, 10],
        explanation: 'p30 of completed job size 30, 20, 10 over 3 release(s) = 16',
      },
    ]);
  });

  it('takes percentile and window from the policy', () => {
    const history = [
      closed('R-2', '2026-02-15T00:00:00Z', { payments: 10 }),
      closed('R-3', '2026-03-15T00:00:00Z', { payments: 20 }),
    ];
    const policy = {
      ...DEFAULT_PLANNING_POLICY,
      capacity: { ...DEFAULT_PLANNING_POLICY.capacity, percentile: 50, historyWindow: 1 },
    };
    expect(capacityFromHistory({ history, teams: ['payments'], policy }).teams[0]?.capacity).toBe(
      20,
    );
  });

  it('ignores emergency releases, which are unplanned work', () => {
    const history = [
      closed('R-1', '2026-02-15T00:00:00Z', { payments: 10 }),
      closed('HF-1', '2026-03-01T00:00:00Z', { payments: 50 }, 'emergency'),
    ];
    expect(capacityFromHistory({ history, teams: ['payments'] }).teams[0]?.samples).toEqual([10]);
  });

  it('gives a team without history the configured cold-start capacity', () => {
    const policy = {
      ...DEFAULT_PLANNING_POLICY,
      capacity: {
        ...DEFAULT_PLANNING_POLICY.capacity,
        coldStartCapacity: 12,
        coldStartCapacityByTeam: { ledger: 4 },
      },
    };
    const estimate = capacityFromHistory({
      history: [closed('R-1', '2026-02-15T00:00:00Z', { payments: 10 })],
      teams: ['search', 'ledger', 'payments'],
      policy,
    });
    expect(estimate.teams.map((t) => [t.team, t.capacity, t.basis])).toEqual([
      ['ledger', 4, 'cold-start'],
      ['payments', 10, 'history'],
      ['search', 12, 'cold-start'],
    ]);
    expect(estimate.total).toBe(26);
    expect(capacityByTeam(estimate)).toEqual({ ledger: 4, payments: 10, search: 12 });
  });
});

describe('cold-start capacity of a team named like an Object.prototype member', () => {
  it.each(['constructor', 'toString', 'valueOf'])('%s gets the default, a number', (team) => {
    expect(coldStartCapacity(team, DEFAULT_PLANNING_POLICY)).toBe(
      DEFAULT_PLANNING_POLICY.capacity.coldStartCapacity,
    );
  });
});
