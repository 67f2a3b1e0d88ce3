import type { PlacementContext } from '../placement/placement.types';
import { releasesToReplace, type ScheduledSlot } from './rescheduling-selection';

const at = (iso: string) => Date.parse(iso);
const slot = (
  deploymentId: string,
  releaseId: string,
  start: string,
  end: string,
  over: Partial<ScheduledSlot> = {},
): ScheduledSlot => ({
  deploymentId,
  releaseId,
  train: 'T-1',
  team: 'payments',
  environment: 'production',
  components: ['checkout'],
  start: at(start),
  end: at(end),
  ...over,
});

describe('which scheduled deployments a rescheduling trigger affects', () => {
  const scheduled = [
    slot('R-2:W-1:production', 'R-2', '2026-12-08T10:00:00Z', '2026-12-08T11:00:00Z'),
    slot('R-1:W-2:production', 'R-1', '2026-12-08T12:00:00Z', '2026-12-08T13:00:00Z'),
    slot('R-1:W-1:production', 'R-1', '2026-12-08T09:00:00Z', '2026-12-08T10:00:00Z'),
    slot('R-3:W-1:staging', 'R-3', '2026-12-08T09:00:00Z', '2026-12-08T10:00:00Z', {
      environment: 'staging',
    }),
    slot('R-4:W-1:production', 'R-4', '2026-12-08T20:00:00Z', '2026-12-08T21:00:00Z'),
  ];
  const freeze = {
    id: 'F-9',
    scope: { environments: ['production'] },
    start: at('2026-12-08T08:00:00Z'),
    end: at('2026-12-08T12:30:00Z'),
  };
  const calendar: PlacementContext = { deploymentWindows: [], freezes: [freeze] };

  it('selects the releases whose slots now fall inside a freeze that applies to them, per release in slot order', () => {
    expect(releasesToReplace(scheduled, calendar)).toEqual([
      {
        releaseId: 'R-1',
        deploymentIds: ['R-1:W-1:production', 'R-1:W-2:production'],
        freezeIds: ['F-9'],
      },
      { releaseId: 'R-2', deploymentIds: ['R-2:W-1:production'], freezeIds: ['F-9'] },
    ]);
  });

  it('leaves alone what an active override covers', () => {
    const covered: PlacementContext = {
      ...calendar,
      overrideCovers: (f, _slot, subject) => f.id === 'F-9' && subject.team === 'payments',
    };
    expect(releasesToReplace(scheduled, covered)).toEqual([]);
  });

  it('a freeze covering a parent component covers its children', () => {
    const parentFreeze: PlacementContext = {
      deploymentWindows: [],
      componentParents: { checkout: 'shop' },
      freezes: [{ ...freeze, id: 'F-shop', scope: { components: ['shop'] } }],
    };
    expect(releasesToReplace(scheduled, parentFreeze).map((r) => r.releaseId)).toEqual([
      'R-1',
      'R-2',
      'R-3',
    ]);
  });

  it('counts only the freeze that was defined or revised when one is named', () => {
    const two: PlacementContext = {
      deploymentWindows: [],
      freezes: [
        freeze,
        {
          id: 'F-old',
          scope: {},
          start: at('2026-12-08T20:00:00Z'),
          end: at('2026-12-08T22:00:00Z'),
        },
      ],
    };
    expect(releasesToReplace(scheduled, two, 'F-old')).toEqual([
      { releaseId: 'R-4', deploymentIds: ['R-4:W-1:production'], freezeIds: ['F-old'] },
    ]);
    expect(releasesToReplace(scheduled, two).map((r) => r.releaseId)).toEqual([
      'R-1',
      'R-2',
      'R-4',
    ]);
  });

  it('selects nothing when no freeze overlaps', () => {
    expect(releasesToReplace(scheduled, { deploymentWindows: [] })).toEqual([]);
  });
});
