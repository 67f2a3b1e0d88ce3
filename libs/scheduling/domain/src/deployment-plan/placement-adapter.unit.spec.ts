import { DEFAULT_DURATION_POLICY } from '../durations/duration-policy';
import type { PlacementContext } from '../placement/placement.types';
import type { DeploymentPlanDecisionContext } from './deployment-plan.decide';
import { deploymentPlanDecider } from './deployment-plan.decider';
import { slotPlacementOver } from './placement-adapter';
import { DEFAULT_RELEASE_TARGET_POLICY } from './release-target';

const at = (iso: string) => Date.parse(iso);

describe('deployment plan over the placement engine', () => {
  const calendar: PlacementContext = {
    deploymentWindows: [
      // Berlin and New York mornings, as the calendar's expansion gives them (UTC).
      {
        id: 'W-berlin',
        scope: {},
        start: at('2026-12-08T08:00:00Z'),
        end: at('2026-12-08T12:00:00Z'),
      },
      {
        id: 'W-newyork',
        scope: {},
        start: at('2026-12-08T14:00:00Z'),
        end: at('2026-12-08T18:00:00Z'),
      },
    ],
    freezes: [
      { id: 'F-1', scope: {}, start: at('2026-12-08T08:00:00Z'), end: at('2026-12-08T11:00:00Z') },
    ],
    scheduled: [
      {
        id: 'other',
        components: ['search-service'],
        start: at('2026-12-08T14:00:00Z'),
        end: at('2026-12-08T15:00:00Z'),
      },
    ],
  };
  const context: DeploymentPlanDecisionContext = {
    targets: {
      ...DEFAULT_RELEASE_TARGET_POLICY,
      defaultTarget: {
        ...DEFAULT_RELEASE_TARGET_POLICY.defaultTarget,
        environments: ['production'],
      },
    },
    durations: DEFAULT_DURATION_POLICY,
    actualMinutes: {},
    placeSlot: slotPlacementOver(calendar),
  };

  it('places past a freeze and another deployment, and says why each earlier slot was rejected', () => {
    const events = deploymentPlanDecider.decide(
      {
        type: 'PlaceReleaseScope',
        data: {
          releaseId: 'R-1',
          trainId: 'T-1',
          workloads: [
            { workloadId: 'W-1', team: 'payments', jobSize: 3, changeType: 'defect-fix' },
            { workloadId: 'W-2', team: 'search', jobSize: 3, changeType: 'net-new-feature' },
          ],
          deploymentOrder: [
            { workloadId: 'W-1', wave: 1 },
            { workloadId: 'W-2', wave: 2 },
          ],
          committedAt: '2026-12-07T12:00:00.000Z',
        },
        metadata: { now: '2026-12-07T12:00:00.000Z', actor: 'scheduler' },
      },
      deploymentPlanDecider.initialState(),
      context,
    );
    const [event] = events;
    if (event?.type !== 'DeploymentScheduled') throw new Error(`got ${event?.type}`);
    const [first, second] = event.data.deployments;
    expect(first).toMatchObject({ start: '2026-12-08T11:00:00Z', end: '2026-12-08T11:30:00Z' });
    expect(first?.rejected.some((r) => r.rule === 'freeze' && r.party === 'freeze F-1')).toBe(true);
    // wave 2: after wave 1 plus the gap, past the other release's deployment on search-service
    expect(second).toMatchObject({ start: '2026-12-08T15:00:00Z', end: '2026-12-08T16:00:00Z' });
    expect(second?.rejected.some((r) => r.rule === 'component-overlap')).toBe(true);
  });
});
