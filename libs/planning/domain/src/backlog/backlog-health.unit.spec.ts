import { backlogHealth, type BacklogItem } from './backlog-health';

const item = (
  workloadId: string,
  team: string,
  registeredAt: string,
  deferrals: Partial<BacklogItem> = {},
): BacklogItem => ({
  workloadId,
  team,
  registeredAt,
  status: 'backlog',
  deferralCount: 0,
  ...deferrals,
});
const deferred = (
  count: number,
  first: string,
  last: string,
  reason = 'capacity',
): Partial<BacklogItem> => ({
  deferralCount: count,
  firstDeferredAt: first,
  lastDeferredAt: last,
  lastDeferralReason: reason,
});

describe('backlog health', () => {
  it('reports deferred workloads with deferral count and age, by team', () => {
    const health = backlogHealth(
      [
        item(
          'P-1',
          'payments',
          '2026-01-01T00:00:00Z',
          deferred(
            2,
            '2026-02-01T00:00:00Z',
            '2026-03-01T00:00:00Z',
            'deferred: team cap 30% reached',
          ),
        ),
        item('P-2', 'payments', '2026-03-01T00:00:00Z'),
        item('S-1', 'search', '2026-02-01T00:00:00Z', {
          ...deferred(1, '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z'),
          status: 'planned',
        }),
        item('S-2', 'search', '2026-02-01T00:00:00Z'),
      ],
      '2026-03-31T00:00:00Z',
    );
    expect(health).toEqual({
      asOf: '2026-03-31T00:00:00Z',
      deferredWorkloads: 1,
      teams: [
        {
          team: 'payments',
          openWorkloads: 2,
          deferredWorkloads: 1,
          totalDeferrals: 2,
          maxDeferralCount: 2,
          oldestDeferredAgeDays: 89,
          deferred: [
            {
              workloadId: 'P-1',
              deferralCount: 2,
              ageDays: 89,
              daysSinceFirstDeferral: 58,
              lastDeferralReason: 'deferred: team cap 30% reached',
            },
          ],
        },
        {
          team: 'search',
          openWorkloads: 1,
          deferredWorkloads: 0,
          totalDeferrals: 0,
          maxDeferralCount: 0,
          oldestDeferredAgeDays: 0,
          deferred: [],
        },
      ],
    });
  });

  it('orders a team’s deferred workloads most-deferred first, then oldest', () => {
    const at = '2026-02-01T00:00:00Z';
    const health = backlogHealth(
      [
        item('A', 't', '2026-01-05T00:00:00Z', deferred(1, at, at)),
        item('B', 't', '2026-01-01T00:00:00Z', deferred(1, at, at)),
        item('C', 't', '2026-01-09T00:00:00Z', deferred(3, at, at)),
      ],
      '2026-03-01T00:00:00Z',
    );
    expect(health.teams[0]?.deferred.map((d) => d.workloadId)).toEqual(['C', 'B', 'A']);
  });
});
