import type { ValidationError } from '@trainyard/kernel';
import { placeDeployments } from './place-deployments';
import type { DeploymentToPlace, PlacementContext, PlacementOutcome } from './placement.types';

const H = 3_600_000;
const DAY = 24 * H;
/** 2024-06-03, a Monday, 00:00 UTC. */
const MON = Date.UTC(2024, 5, 3);

const deployment = (over: Partial<DeploymentToPlace> = {}): DeploymentToPlace => ({
  id: 'dep-1',
  releaseId: 'rel-1',
  workloadId: 'wl-1',
  train: 'payments',
  team: 'core',
  environment: 'prod',
  components: ['api'],
  owner: 'ada',
  expectedDurationMs: H,
  earliestStart: MON,
  ...over,
});

const context = (over: Partial<PlacementContext> = {}): PlacementContext => ({
  deploymentWindows: [{ id: 'win', scope: {}, start: MON, end: MON + 10 * H }],
  ...over,
});

const placed = (outcome: PlacementOutcome | undefined) => {
  if (outcome?.status !== 'placed') throw new Error(`expected placed: ${JSON.stringify(outcome)}`);
  return outcome;
};
const unplaced = (outcome: PlacementOutcome | undefined) => {
  if (outcome?.status !== 'unplaced')
    throw new Error(`expected unplaced: ${JSON.stringify(outcome)}`);
  return outcome;
};

describe('placeDeployments', () => {
  describe('given a deployment window', () => {
    it('when nothing is in the way, then the deployment takes the first slot with no rejections', () => {
      const [out] = placeDeployments([deployment()], context());
      expect(placed(out)).toMatchObject({ slot: { start: MON, end: MON + H }, rejected: [] });
    });

    it('when the earliest start is before every window, then it jumps to the first window that fits', () => {
      const [out] = placeDeployments(
        [deployment({ earliestStart: MON - DAY })],
        context({
          deploymentWindows: [
            { id: 'short', scope: {}, start: MON - 2 * H, end: MON - H - 1 },
            { id: 'long', scope: {}, start: MON + 3 * H, end: MON + 5 * H },
          ],
        }),
      );
      const p = placed(out);
      expect(p.slot.start).toBe(MON + 3 * H);
      expect(p.rejected).toEqual([
        {
          candidate: { start: MON - DAY, end: MON - DAY + H },
          rule: 'outside-deployment-window',
          party: { kind: 'window' },
        },
      ]);
    });

    it('when the window is for another train, team or environment, then it does not count', () => {
      for (const scope of [{ trains: ['other'] }, { teams: ['other'] }, { environments: ['qa'] }]) {
        const [out] = placeDeployments(
          [deployment()],
          context({ deploymentWindows: [{ id: 'w', scope, start: MON, end: MON + 9 * H }] }),
        );
        expect(unplaced(out).reason.rule).toBe('outside-deployment-window');
      }
    });

    it('when a window is scoped to one of the deployment’s components, then it counts', () => {
      const [out] = placeDeployments(
        [deployment({ components: ['api', 'db'] })],
        context({
          deploymentWindows: [{ id: 'w', scope: { components: ['db'] }, start: MON, end: MON + H }],
        }),
      );
      expect(placed(out).slot.start).toBe(MON);
    });

    it('when no window is left, then the deployment is unplaced, never silently dropped', () => {
      const [out] = placeDeployments([deployment({ earliestStart: MON + 9.5 * H })], context());
      const u = unplaced(out);
      expect(u.reason.rule).toBe('outside-deployment-window');
      expect(u.reason.message).toMatch(/deployment window/);
      expect(u.rejected[0]).toMatchObject({
        rule: 'outside-deployment-window',
        party: { kind: 'window', id: 'win' },
      });
    });
  });

  describe('deadline', () => {
    it('given a deadline before any free slot, then unplaced with rule deadline', () => {
      const [out] = placeDeployments(
        [deployment({ deadline: MON + 2 * H })],
        context({ freezes: [{ id: 'f', scope: {}, start: MON, end: MON + 3 * H }] }),
      );
      const u = unplaced(out);
      expect(u.reason).toMatchObject({
        rule: 'deadline',
        party: { kind: 'deadline', deadline: MON + 2 * H },
      });
      expect(u.rejected).toHaveLength(1);
    });

    it('given a slot ending exactly at the deadline, then it is placed', () => {
      const [out] = placeDeployments([deployment({ deadline: MON + H })], context());
      expect(placed(out).slot.end).toBe(MON + H);
    });
  });

  describe('freeze', () => {
    const freezes = [{ id: 'fz', scope: { environments: ['prod'] }, start: MON, end: MON + 2 * H }];

    it('given a freeze on the environment, when the slot overlaps it, then it is rejected and the next slot starts at its end', () => {
      const [out] = placeDeployments([deployment()], context({ freezes }));
      const p = placed(out);
      expect(p.slot.start).toBe(MON + 2 * H);
      expect(p.rejected).toEqual([
        {
          candidate: { start: MON, end: MON + H },
          rule: 'freeze',
          party: { kind: 'freeze', id: 'fz' },
        },
      ]);
    });

    it('given a freeze for another environment, then it does not apply', () => {
      const [out] = placeDeployments([deployment({ environment: 'qa' })], context({ freezes }));
      expect(placed(out).slot.start).toBe(MON);
    });

    it('given an active override covering the freeze, then the slot inside the freeze is allowed', () => {
      const seen: string[] = [];
      const [out] = placeDeployments(
        [deployment()],
        context({
          freezes,
          overrideCovers: (freeze, slot, subject) => {
            seen.push(`${freeze.id}@${slot.start - MON} for ${subject.components.join()}`);
            return true;
          },
        }),
      );
      expect(placed(out).slot.start).toBe(MON);
      expect(seen).toEqual(['fz@0 for api']);
    });

    it('given a freeze that comes from a holiday calendar, then the party is the holiday', () => {
      const [out] = placeDeployments(
        [deployment()],
        context({ freezes: [{ ...freezes[0]!, holidayId: 'payments-holidays' }] }),
      );
      expect(placed(out).rejected[0]?.party).toEqual({
        kind: 'holiday',
        id: 'payments-holidays',
        freezeId: 'fz',
      });
    });

    it('given a freeze scoped to a component the deployment touches, then it applies', () => {
      const [out] = placeDeployments(
        [deployment({ components: ['api', 'db'] })],
        context({
          freezes: [{ id: 'db-fz', scope: { components: ['db'] }, start: MON, end: MON + H }],
        }),
      );
      expect(placed(out).rejected[0]).toMatchObject({ rule: 'freeze', party: { id: 'db-fz' } });
    });
  });

  describe('component scope', () => {
    it('given a freeze on the parent component, then it covers a deployment to the child', () => {
      const [out] = placeDeployments(
        [deployment()],
        context({
          componentParents: { api: 'platform' },
          freezes: [
            { id: 'platform-fz', scope: { components: ['platform'] }, start: MON, end: MON + H },
          ],
        }),
      );
      expect(placed(out).rejected[0]).toMatchObject({
        rule: 'freeze',
        party: { id: 'platform-fz' },
      });
    });

    it('given a freeze on a child component, then it does not cover a deployment to the parent', () => {
      const [out] = placeDeployments(
        [deployment({ components: ['platform'] })],
        context({
          componentParents: { api: 'platform' },
          freezes: [{ id: 'api-fz', scope: { components: ['api'] }, start: MON, end: MON + H }],
        }),
      );
      expect(placed(out).slot.start).toBe(MON);
    });

    it('given a deployment window for the parent component, then the child may deploy in it', () => {
      const [out] = placeDeployments(
        [deployment()],
        context({
          componentParents: { api: 'platform' },
          deploymentWindows: [
            { id: 'w', scope: { components: ['platform'] }, start: MON, end: MON + H },
          ],
        }),
      );
      expect(placed(out).slot.start).toBe(MON);
    });
  });

  describe('maintenance', () => {
    const parents = { api: 'platform', db: 'platform' };

    it('given maintenance windows on the component, then the slot lies inside one', () => {
      const [out] = placeDeployments(
        [deployment()],
        context({
          componentParents: parents,
          maintenanceWindows: [
            { id: 'mw-api', scope: { components: ['api'] }, start: MON + 4 * H, end: MON + 6 * H },
          ],
        }),
      );
      const p = placed(out);
      expect(p.slot.start).toBe(MON + 4 * H);
      expect(p.rejected).toEqual([
        {
          candidate: { start: MON, end: MON + H },
          rule: 'maintenance',
          party: { kind: 'maintenance', component: 'api' },
        },
      ]);
    });

    it('given maintenance windows on the parent only, then the child honours its parent', () => {
      const [out] = placeDeployments(
        [deployment()],
        context({
          componentParents: parents,
          maintenanceWindows: [
            {
              id: 'mw-p',
              scope: { components: ['platform'] },
              start: MON + 2 * H,
              end: MON + 3 * H,
            },
          ],
        }),
      );
      expect(placed(out).slot.start).toBe(MON + 2 * H);
    });

    it('given windows on child and parent, then the slot lies inside both', () => {
      const [out] = placeDeployments(
        [deployment()],
        context({
          componentParents: parents,
          maintenanceWindows: [
            { id: 'mw-api', scope: { components: ['api'] }, start: MON + H, end: MON + 4 * H },
            {
              id: 'mw-p',
              scope: { components: ['platform'] },
              start: MON + 3 * H,
              end: MON + 8 * H,
            },
          ],
        }),
      );
      const p = placed(out);
      expect(p.slot).toEqual({ start: MON + 3 * H, end: MON + 4 * H });
      expect(p.rejected.map((r) => r.party)).toEqual([
        { kind: 'maintenance', component: 'api' },
        { kind: 'maintenance', component: 'platform' },
      ]);
    });

    it('given no maintenance windows anywhere in the chain, then the component is unconstrained', () => {
      const [out] = placeDeployments(
        [deployment()],
        context({
          componentParents: parents,
          maintenanceWindows: [
            { id: 'mw-db', scope: { components: ['db'] }, start: MON + 5 * H, end: MON + 6 * H },
          ],
        }),
      );
      expect(placed(out).slot.start).toBe(MON);
    });

    it('given maintenance windows too short for the deployment, then it is unplaced naming the component', () => {
      const [out] = placeDeployments(
        [deployment()],
        context({
          maintenanceWindows: [
            { id: 'mw', scope: { components: ['api'] }, start: MON, end: MON + H / 2 },
          ],
        }),
      );
      expect(unplaced(out).reason).toMatchObject({
        rule: 'maintenance',
        party: { component: 'api' },
      });
    });
  });

  describe('component-overlap', () => {
    const parents = { api: 'platform', 'api-worker': 'api' };

    it.each([
      ['the same component', 'api'],
      ['its parent', 'platform'],
      ['its child', 'api-worker'],
    ])('given a scheduled deployment on %s, then the slot waits for its end', (_, component) => {
      const [out] = placeDeployments(
        [deployment()],
        context({
          componentParents: parents,
          scheduled: [{ id: 'other', components: [component], start: MON, end: MON + 90 * 60_000 }],
        }),
      );
      const p = placed(out);
      expect(p.slot.start).toBe(MON + 90 * 60_000);
      expect(p.rejected[0]).toMatchObject({
        rule: 'component-overlap',
        party: { kind: 'deployment', id: 'other', component },
      });
    });

    it('given a scheduled deployment on a sibling, then there is no overlap', () => {
      const [out] = placeDeployments(
        [deployment()],
        context({
          componentParents: { api: 'platform', db: 'platform' },
          scheduled: [{ id: 'other', components: ['db'], start: MON, end: MON + 2 * H }],
        }),
      );
      expect(placed(out).slot.start).toBe(MON);
    });

    it('given two deployments on one component, then the second follows the first', () => {
      const outs = placeDeployments(
        [deployment({ id: 'a', owner: 'x' }), deployment({ id: 'b', owner: 'y' })],
        context(),
      );
      expect(outs.map((o) => placed(o).slot.start)).toEqual([MON, MON + H]);
      expect(outs[1]!.rejected[0]?.party).toEqual({
        kind: 'deployment',
        id: 'a',
        component: 'api',
      });
    });
  });

  describe('job-reservation', () => {
    it('given a batch job on the component, then the slot waits for it', () => {
      const [out] = placeDeployments(
        [deployment()],
        context({
          jobs: [{ id: 'nightly-etl', components: ['api'], start: MON, end: MON + 2 * H }],
        }),
      );
      expect(placed(out).rejected[0]).toMatchObject({
        rule: 'job-reservation',
        party: { kind: 'job', id: 'nightly-etl', component: 'api' },
      });
    });

    it('given a batch job on a resource the deployment uses, then the slot waits for it', () => {
      const [out] = placeDeployments(
        [deployment({ resources: ['ledger-db'] })],
        context({
          jobs: [{ id: 'vacuum', resources: ['ledger-db'], start: MON, end: MON + 2 * H }],
        }),
      );
      const p = placed(out);
      expect(p.slot.start).toBe(MON + 2 * H);
      expect(p.rejected[0]?.party).toEqual({ kind: 'job', id: 'vacuum', resource: 'ledger-db' });
    });
  });

  describe('owner-booked', () => {
    it('given the owner is booked, then the slot waits for the booking to end', () => {
      const [out] = placeDeployments(
        [deployment()],
        context({ ownerBookings: [{ id: 'offsite', owner: 'ada', start: MON, end: MON + 3 * H }] }),
      );
      const p = placed(out);
      expect(p.slot.start).toBe(MON + 3 * H);
      expect(p.rejected[0]?.party).toEqual({ kind: 'owner', owner: 'ada', bookingId: 'offsite' });
    });

    it('given the owner deploys elsewhere at the same time, then they are not booked twice', () => {
      const outs = placeDeployments(
        [deployment({ id: 'a', components: ['x'] }), deployment({ id: 'b', components: ['y'] })],
        context(),
      );
      expect(placed(outs[1]).slot.start).toBe(MON + H);
      expect(outs[1]!.rejected[0]?.party).toEqual({
        kind: 'owner',
        owner: 'ada',
        deploymentId: 'a',
      });
    });
  });

  describe('working-hours', () => {
    // Berlin is UTC+2 in June: 09:00–17:00 local is 07:00–15:00 UTC.
    const hours = {
      core: {
        zone: 'Europe/Berlin',
        weekly: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '17:00' })),
      },
    };
    const nightAndDay = [
      { id: 'w', scope: {}, start: MON, end: MON + DAY, teamWorkingHoursOnly: true },
    ];

    it('given a window limited to working hours, then the slot starts when the team’s day starts in its zone', () => {
      const [out] = placeDeployments(
        [deployment()],
        context({ deploymentWindows: nightAndDay, teamWorkingHours: hours }),
      );
      const p = placed(out);
      expect(p.slot.start).toBe(MON + 7 * H);
      expect(p.rejected[0]).toMatchObject({
        rule: 'working-hours',
        party: { kind: 'working-hours', team: 'core', zone: 'Europe/Berlin' },
      });
    });

    it('given a slot that would run past the end of the day, then it moves to the next working day', () => {
      const [out] = placeDeployments(
        [deployment({ earliestStart: MON + 14.5 * H })],
        context({
          deploymentWindows: [{ ...nightAndDay[0]!, end: MON + 2 * DAY }],
          teamWorkingHours: hours,
        }),
      );
      expect(placed(out).slot.start).toBe(MON + DAY + 7 * H);
    });

    it('given a New York team across the spring-forward weekend, then its day starts an hour earlier in UTC', () => {
      // Friday 8 March 2024 09:00 EST = 14:00Z; Monday 11 March 09:00 EDT = 13:00Z.
      const friday = Date.UTC(2024, 2, 8);
      const newYork = {
        core: {
          zone: 'America/New_York',
          weekly: [
            { day: 1, from: '09:00', to: '17:00' },
            { day: 5, from: '09:00', to: '17:00' },
          ],
        },
      };
      const window = [
        { id: 'w', scope: {}, start: friday, end: friday + 5 * DAY, teamWorkingHoursOnly: true },
      ];
      const outs = placeDeployments(
        [
          deployment({ id: 'fri', earliestStart: friday, components: ['a'], owner: 'x' }),
          deployment({ id: 'mon', earliestStart: friday + DAY, components: ['b'], owner: 'y' }),
        ],
        context({ deploymentWindows: window, teamWorkingHours: newYork }),
      );
      expect(outs.map((o) => placed(o).slot.start)).toEqual([
        friday + 14 * H,
        friday + 3 * DAY + 13 * H,
      ]);
    });

    it('given a team without working hours, then a working-hours-only window allows nothing', () => {
      const [out] = placeDeployments([deployment()], context({ deploymentWindows: nightAndDay }));
      expect(unplaced(out).reason.rule).toBe('working-hours');
    });

    it('given a window not limited to working hours, then the team’s hours do not matter', () => {
      const [out] = placeDeployments([deployment()], context({ teamWorkingHours: hours }));
      expect(placed(out).slot.start).toBe(MON);
    });
  });

  describe('waves', () => {
    const components = ['c1', 'c2', 'c3', 'c4', 'c5'];

    it('given wave hints, then the scope is split into staggered waves, each after the minimum gap', () => {
      const [out] = placeDeployments(
        [deployment({ components, waves: { size: 2, minGapMs: H / 2 } })],
        context(),
      );
      const p = placed(out);
      expect(p.waves.map((w) => [w.components, (w.start - MON) / H])).toEqual([
        [['c1', 'c2'], 0],
        [['c3', 'c4'], 1.5],
        [['c5'], 3],
      ]);
      expect(p.slot).toEqual({ start: MON, end: MON + 4 * H });
    });

    it('given a blast-radius limit, then no wave touches more components than it, children included', () => {
      const [out] = placeDeployments(
        [
          deployment({
            components: ['c1', 'c2', 'c3'],
            waves: { size: 10, minGapMs: 0, blastRadius: 3 },
          }),
        ],
        context({ componentParents: { 'c1-a': 'c1', 'c1-b': 'c1' } }),
      );
      expect(placed(out).waves.map((w) => w.components)).toEqual([['c1'], ['c2', 'c3']]);
    });

    it('given a component whose subtree alone exceeds the limit, then unplaced with rule blast-radius', () => {
      const [out] = placeDeployments(
        [deployment({ components: ['c1'], waves: { size: 1, minGapMs: 0, blastRadius: 2 } })],
        context({ componentParents: { 'c1-a': 'c1', 'c1-b': 'c1' } }),
      );
      expect(unplaced(out).reason).toMatchObject({
        rule: 'blast-radius',
        party: { component: 'c1', limit: 2 },
      });
    });

    it('given a later wave cannot be placed, then the whole deployment is unplaced and frees its earlier waves', () => {
      const outs = placeDeployments(
        [
          deployment({
            id: 'big',
            components,
            waves: { size: 2, minGapMs: 0 },
            deadline: MON + 2 * H,
          }),
          deployment({ id: 'next', owner: 'bob', components: ['c1'] }),
        ],
        context(),
      );
      expect(unplaced(outs[0]).reason).toMatchObject({ rule: 'deadline', wave: 3 });
      expect(placed(outs[1]).slot.start).toBe(MON);
    });

    it('given a freeze between waves, then the later wave is pushed past it and the rejection names the wave', () => {
      const [out] = placeDeployments(
        [deployment({ components, waves: { size: 3, minGapMs: 0 } })],
        context({ freezes: [{ id: 'fz', scope: {}, start: MON + H, end: MON + 5 * H }] }),
      );
      const p = placed(out);
      expect(p.waves.map((w) => (w.start - MON) / H)).toEqual([0, 5]);
      expect(p.rejected).toEqual([
        {
          candidate: { start: MON + H, end: MON + 2 * H },
          rule: 'freeze',
          party: { kind: 'freeze', id: 'fz' },
          wave: 2,
        },
      ]);
    });
  });

  describe('hostile input', () => {
    it.each([
      [{ expectedDurationMs: 0 }, 'deployments[0].expectedDurationMs'],
      [{ expectedDurationMs: Number.NaN }, 'deployments[0].expectedDurationMs'],
      [{ earliestStart: Number.POSITIVE_INFINITY }, 'deployments[0].earliestStart'],
      [{ components: [] }, 'deployments[0].components'],
      [{ waves: { size: 0, minGapMs: 0 } }, 'deployments[0].waves.size'],
      [{ waves: { size: 1, minGapMs: -1 } }, 'deployments[0].waves.minGapMs'],
    ] as const)('given %j, then a ValidationError names %s', (over, field) => {
      expect(() =>
        placeDeployments([deployment(over as Partial<DeploymentToPlace>)], context()),
      ).toThrow(expect.objectContaining({ field }) as ValidationError);
    });
  });
});
