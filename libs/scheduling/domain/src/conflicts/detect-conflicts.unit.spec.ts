import { ValidationError } from '@trainyard/kernel';
import type { ConflictProposal, PlacementContext } from '../placement/placement.types';
import { detectConflicts } from './detect-conflicts';

const H = 3_600_000;
const MON = Date.UTC(2024, 5, 3);

const proposal = (over: Partial<ConflictProposal> = {}): ConflictProposal => ({
  interval: { start: MON + 2 * H, end: MON + 4 * H },
  train: 'payments',
  team: 'core',
  environment: 'prod',
  components: ['api'],
  owner: 'ada',
  ...over,
});

const busy: PlacementContext = {
  deploymentWindows: [{ id: 'win', scope: {}, start: MON, end: MON + 3 * H }],
  componentParents: { api: 'platform', 'api-worker': 'api' },
  freezes: [
    { id: 'fz', scope: { environments: ['prod'] }, start: MON + 3 * H, end: MON + 5 * H },
    {
      id: 'hol-fz',
      scope: { teams: ['core'] },
      start: MON,
      end: MON + 2.5 * H,
      holidayId: 'core-holidays',
    },
    { id: 'qa-fz', scope: { environments: ['qa'] }, start: MON, end: MON + 9 * H },
  ],
  maintenanceWindows: [
    { id: 'mw', scope: { components: ['platform'] }, start: MON, end: MON + 3 * H },
  ],
  scheduled: [
    { id: 'dep-parent', components: ['platform'], start: MON + H, end: MON + 2.5 * H },
    { id: 'dep-child', components: ['api-worker'], start: MON + 3.5 * H, end: MON + 5 * H },
    { id: 'dep-sibling', components: ['db'], start: MON, end: MON + 9 * H },
  ],
  jobs: [{ id: 'etl', components: ['api'], start: MON + 3 * H, end: MON + 6 * H }],
  ownerBookings: [{ id: 'offsite', owner: 'ada', start: MON + 2 * H, end: MON + 2.25 * H }],
};

describe('detectConflicts', () => {
  it('given a calendar with every kind of party, when a change is proposed across them, then every conflict is listed with its rule and party', () => {
    const conflicts = detectConflicts(proposal(), busy);
    expect(conflicts).toEqual([
      {
        rule: 'outside-deployment-window',
        party: { kind: 'window', id: 'win' },
        interval: { start: MON + 2 * H, end: MON + 4 * H },
      },
      {
        rule: 'freeze',
        party: { kind: 'holiday', id: 'core-holidays', freezeId: 'hol-fz' },
        interval: { start: MON + 2 * H, end: MON + 2.5 * H },
      },
      {
        rule: 'freeze',
        party: { kind: 'freeze', id: 'fz' },
        interval: { start: MON + 3 * H, end: MON + 4 * H },
      },
      {
        rule: 'maintenance',
        party: { kind: 'maintenance', component: 'platform', id: 'mw' },
        interval: { start: MON + 2 * H, end: MON + 4 * H },
      },
      {
        rule: 'component-overlap',
        party: { kind: 'deployment', id: 'dep-child', component: 'api-worker' },
        interval: { start: MON + 3.5 * H, end: MON + 4 * H },
      },
      {
        rule: 'component-overlap',
        party: { kind: 'deployment', id: 'dep-parent', component: 'platform' },
        interval: { start: MON + 2 * H, end: MON + 2.5 * H },
      },
      {
        rule: 'job-reservation',
        party: { kind: 'job', id: 'etl', component: 'api' },
        interval: { start: MON + 3 * H, end: MON + 4 * H },
      },
      {
        rule: 'owner-booked',
        party: { kind: 'owner', owner: 'ada', bookingId: 'offsite' },
        interval: { start: MON + 2 * H, end: MON + 2.25 * H },
      },
    ]);
  });

  it('given the same calendar, when the proposal fits, then there are no conflicts', () => {
    const conflicts = detectConflicts(
      proposal({ interval: { start: MON, end: MON + H }, owner: 'bob', team: 'edge' }),
      busy,
    );
    expect(conflicts).toEqual([]);
  });

  it('given an active override for a freeze, then that freeze is no conflict', () => {
    const conflicts = detectConflicts(proposal(), {
      ...busy,
      overrideCovers: (freeze) => freeze.id === 'fz',
    });
    expect(conflicts.filter((c) => c.rule === 'freeze').map((c) => c.party)).toEqual([
      { kind: 'holiday', id: 'core-holidays', freezeId: 'hol-fz' },
    ]);
  });

  it.each([
    [{ interval: { start: MON, end: MON } }],
    [{ interval: { start: Number.NaN, end: MON } }],
  ])('given a hostile interval %j, then a ValidationError names interval', (over) => {
    expect(() => detectConflicts(proposal(over), busy)).toThrow(ValidationError);
    expect(() => detectConflicts(proposal(over), busy)).toThrow(/interval/);
  });
});
