import type { WorkloadEvent } from '../workload/workload.events';
import { backlogHealthFromEvents } from './backlog-health.projection';

const registered = (workloadId: string, team: string, registeredAt: string): WorkloadEvent =>
  ({
    type: 'WorkloadRegistered',
    data: { workloadId, team, registeredAt },
  }) as unknown as WorkloadEvent;
const deferred = (
  workloadId: string,
  team: string,
  deferralCount: number,
  deferredAt: string,
  reason = 'capacity',
): WorkloadEvent => ({
  type: 'WorkloadDeferred',
  data: { workloadId, team, deferralCount, reason, deferredBy: 'planner', deferredAt },
});

describe('backlog health', () => {
  it('reports deferred workloads with deferral count and age, by team', () => {
    const health = backlogHealthFromEvents(
      [
        registered('P-1', 'payments', '2026-01-01T00:00:00Z'),
        registered('P-2', 'payments', '2026-03-01T00:00:00Z'),
        registered('S-1', 'search', '2026-02-01T00:00:00Z'),
        registered('S-2', 'search', '2026-02-01T00:00:00Z'),
        deferred('P-1', 'payments', 1, '2026-02-01T00:00:00Z'),
        deferred('P-1', 'payments', 2, '2026-03-01T00:00:00Z', 'deferred: team cap 30% reached'),
        deferred('S-1', 'search', 1, '2026-03-01T00:00:00Z'),
        {
          type: 'WorkloadPlanned',
          data: {
            workloadId: 'S-1',
            team: 'search',
            releaseId: 'R-3',
            plannedBy: 'p',
            plannedAt: '2026-03-02T00:00:00Z',
          },
        },
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
    const health = backlogHealthFromEvents(
      [
        registered('A', 't', '2026-01-05T00:00:00Z'),
        registered('B', 't', '2026-01-01T00:00:00Z'),
        registered('C', 't', '2026-01-09T00:00:00Z'),
        deferred('A', 't', 1, '2026-02-01T00:00:00Z'),
        deferred('B', 't', 1, '2026-02-01T00:00:00Z'),
        deferred('C', 't', 3, '2026-02-01T00:00:00Z'),
      ],
      '2026-03-01T00:00:00Z',
    );
    expect(health.teams[0]?.deferred.map((d) => d.workloadId)).toEqual(['C', 'B', 'A']);
  });
});
