import fc from 'fast-check';
import { DeciderSpecification, ValidationError } from '@trainyard/kernel';
import type { CalendarEntryKind } from '../../calendar/calendar-entry';
import {
  jobPoolDecider,
  teamWeightDecider,
  type JobPoolDefinition,
  type JobPoolPut,
  type PutJobPool,
  type SetTeamWeight,
} from './job-pool';

const metadata = { now: '2031-05-04T09:00:00.000Z', actor: 'olga' };
const calendarEntryKinds = new Map<string, CalendarEntryKind>([
  ['month-end', 'holiday'],
  ['change-freeze', 'freeze'],
]);
const given = DeciderSpecification.for(jobPoolDecider, { calendarEntryKinds });
const pool = (over: Partial<JobPoolDefinition> = {}): JobPoolDefinition => ({
  key: 'db:payments',
  slots: 2,
  highLoadReservations: [{ calendarEntryId: 'month-end', criticalSlots: 1 }],
  ...over,
});
const put = (p: unknown): PutJobPool => ({
  type: 'PutJobPool',
  data: { pool: p as JobPoolDefinition },
  metadata,
});
const wasPut = (p: JobPoolDefinition, previousSlots?: number): JobPoolPut => ({
  type: 'JobPoolPut',
  data: {
    pool: p,
    ...(previousSlots === undefined ? {} : { previousSlots }),
    putBy: 'olga',
    putAt: metadata.now,
  },
});

describe('an undefined pool', () => {
  it('is defined with its slots and its month-end reservation', () => {
    given([])
      .when(put(pool()))
      .then([wasPut(pool())]);
  });

  it('refuses a reservation naming a calendar entry not in force, naming the field', () => {
    given([])
      .when(put(pool({ highLoadReservations: [{ calendarEntryId: 'nope', criticalSlots: 1 }] })))
      .thenThrows(ValidationError, { field: 'pool.highLoadReservations[0].calendarEntryId' });
  });

  it('refuses a reservation naming a freeze (a high-load period is a business-calendar entry)', () => {
    given([])
      .when(
        put(
          pool({ highLoadReservations: [{ calendarEntryId: 'change-freeze', criticalSlots: 1 }] }),
        ),
      )
      .thenThrows(ValidationError, { field: 'pool.highLoadReservations[0].calendarEntryId' });
  });

  it('refuses more reserved slots than the pool has', () => {
    given([])
      .when(
        put(
          pool({
            slots: 1,
            highLoadReservations: [{ calendarEntryId: 'month-end', criticalSlots: 2 }],
          }),
        ),
      )
      .thenThrows(ValidationError, { field: 'pool.highLoadReservations[0].criticalSlots' });
  });

  it('refuses a malformed key or slot count, naming the field', () => {
    given([])
      .when(put(pool({ key: 'DB payments' })))
      .thenThrows(ValidationError, { field: 'pool.key' });
    given([])
      .when(put(pool({ slots: -1 })))
      .thenThrows(ValidationError, { field: 'pool.slots' });
    given([])
      .when(put(pool({ slots: 1.5 })))
      .thenThrows(ValidationError, { field: 'pool.slots' });
  });

  it('refuses any hostile input with a ValidationError, never another error', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        let thrown: unknown;
        try {
          jobPoolDecider.decide(put(input), jobPoolDecider.initialState(), { calendarEntryKinds });
        } catch (error) {
          thrown = error;
        }
        expect(thrown === undefined || thrown instanceof ValidationError).toBe(true);
      }),
    );
  });
});

describe('a defined pool', () => {
  it('put again unchanged: nothing happens', () => {
    given([wasPut(pool())])
      .when(put(pool()))
      .thenNothingHappened();
  });

  it('resized: the event keeps the previous slots', () => {
    given([wasPut(pool())])
      .when(put(pool({ slots: 4 })))
      .then([wasPut(pool({ slots: 4 }), 2)]);
  });
});

describe('team weights', () => {
  const givenWeight = DeciderSpecification.for(teamWeightDecider);
  const set = (team: string, weight: number): SetTeamWeight => ({
    type: 'SetTeamWeight',
    data: { team, weight },
    metadata,
  });

  it('a team weighs 1 by default; setting 3 records it', () => {
    givenWeight([])
      .when(set('payments', 3))
      .then([
        {
          type: 'TeamWeightSet',
          data: { team: 'payments', weight: 3, setBy: 'olga', setAt: metadata.now },
        },
      ]);
  });

  it('setting the same weight again: nothing happens', () => {
    givenWeight([
      {
        type: 'TeamWeightSet',
        data: { team: 'payments', weight: 3, setBy: 'o', setAt: metadata.now },
      },
    ])
      .when(set('payments', 3))
      .thenNothingHappened();
  });

  it('refuses a zero, negative or non-finite weight, naming the field', () => {
    for (const w of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1_001])
      givenWeight([]).when(set('payments', w)).thenThrows(ValidationError, { field: 'weight' });
    givenWeight([]).when(set('Pay ments', 1)).thenThrows(ValidationError, { field: 'team' });
  });
});
