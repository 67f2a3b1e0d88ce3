import fc from 'fast-check';
import {
  AlreadyExistsError,
  DeciderSpecification,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import { holdsCovering, parseHoldScope, type LegalHold, type RecordFootprint } from './legal-hold';
import {
  LEGAL_HOLD_RULE,
  privacyDecider,
  type PrivacyCommand,
  type PrivacyEvent,
} from './privacy-register';
import { decideRetention, parseRetentionPolicy, type RetentionPolicy } from './retention';

const NOW = '2031-06-01T12:00:00.000Z';
const meta = (reason = 'case 2031-17') => ({ now: NOW, actor: 'user:dpo', reason });
const given = DeciderSpecification.for(privacyDecider, { footprint: [] as RecordFootprint[] });

const placed = (holdId: string, scope: LegalHold['scope']): PrivacyEvent => ({
  type: 'LegalHoldPlaced',
  data: {
    holdId,
    scope,
    reason: 'litigation',
    placedBy: 'user:legal',
    placedAt: '2031-01-01T00:00:00.000Z',
  },
});
const erase = (subjectId: string, reason?: string): PrivacyCommand => ({
  type: 'EraseSubject',
  data: { subjectId },
  metadata: meta(reason),
});
const record = (over: Partial<RecordFootprint> = {}): RecordFootprint => ({
  recordedAt: '2031-02-01T00:00:00.000Z',
  workloadIds: [],
  releaseIds: [],
  subjectIds: [],
  ...over,
});

describe('privacy register', () => {
  describe('given no holds', () => {
    it('erases a subject: a tombstone with who, when, why and no personal data', () => {
      given([])
        .when(erase('emp-7'), {
          footprint: [record({ subjectIds: ['emp-7'], workloadIds: ['W-1'] })],
        })
        .then([
          {
            type: 'DataSubjectErased',
            data: {
              subjectId: 'emp-7',
              reason: 'case 2031-17',
              erasedBy: 'user:dpo',
              erasedAt: NOW,
              recordsAffected: 1,
            },
          },
        ]);
    });

    it('refuses an erasure without a reason, naming the field', () => {
      given([]).when(erase('emp-7', '  ')).thenThrows(ValidationError, { field: 'reason' });
    });

    it('refuses a hostile subject id, naming the field', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.constant(''),
            fc.string().filter((s) => !/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/.test(s)),
          ),
          (subjectId) => {
            given([]).when(erase(subjectId)).thenThrows(ValidationError, { field: 'subjectId' });
          },
        ),
      );
    });

    it('places a hold on a scope', () => {
      given([])
        .when({
          type: 'PlaceLegalHold',
          data: { holdId: 'H-1', scope: { kind: 'workload', id: 'W-1' } },
          metadata: meta(),
        })
        .then([
          {
            type: 'LegalHoldPlaced',
            data: {
              holdId: 'H-1',
              scope: { kind: 'workload', id: 'W-1' },
              reason: 'case 2031-17',
              placedBy: 'user:dpo',
              placedAt: NOW,
            },
          },
        ]);
    });

    it('refuses to release a hold that does not exist', () => {
      given([])
        .when({ type: 'ReleaseLegalHold', data: { holdId: 'H-9' }, metadata: meta() })
        .thenThrows(NotFoundError);
    });
  });

  describe('given a hold in force', () => {
    it('refuses to erase a subject the hold names as a person', () => {
      given([placed('H-1', { kind: 'person', id: 'emp-7' })])
        .when(erase('emp-7'))
        .thenThrows(RuleViolation, { rule: LEGAL_HOLD_RULE });
    });

    it('refuses to erase a subject whose data sits in a held workload or release', () => {
      const footprint = [
        record({ subjectIds: ['emp-7'], workloadIds: ['W-1'], releaseIds: ['R-1'] }),
      ];
      given([placed('H-1', { kind: 'workload', id: 'W-1' })])
        .when(erase('emp-7'), { footprint })
        .thenThrows(RuleViolation, (e) => expect(e.message).toContain('H-1 (workload W-1)'));
      given([placed('H-2', { kind: 'release', id: 'R-1' })])
        .when(erase('emp-7'), { footprint })
        .thenThrows(RuleViolation, { rule: LEGAL_HOLD_RULE });
      given([
        placed('H-3', {
          kind: 'time-range',
          from: '2031-01-01T00:00:00.000Z',
          to: '2031-03-01T00:00:00.000Z',
        }),
      ])
        .when(erase('emp-7'), { footprint })
        .thenThrows(RuleViolation, { rule: LEGAL_HOLD_RULE });
    });

    it('erases a subject the hold does not cover', () => {
      given([placed('H-1', { kind: 'workload', id: 'W-2' })])
        .when(erase('emp-7'), {
          footprint: [record({ subjectIds: ['emp-7'], workloadIds: ['W-1'] })],
        })
        .thenEvents((events) => expect(events.map((e) => e.type)).toEqual(['DataSubjectErased']));
    });

    it('erases once the hold is released', () => {
      given([
        placed('H-1', { kind: 'person', id: 'emp-7' }),
        {
          type: 'LegalHoldReleased',
          data: {
            holdId: 'H-1',
            reason: 'settled',
            releasedBy: 'user:legal',
            releasedAt: '2031-05-01T00:00:00.000Z',
          },
        },
      ])
        .when(erase('emp-7'))
        .thenEvents((events) => expect(events.map((e) => e.type)).toEqual(['DataSubjectErased']));
    });

    it('treats the same hold placed again as done, and another scope under its id as a conflict', () => {
      const scope = { kind: 'person', id: 'emp-7' } as const;
      given([placed('H-1', scope)])
        .when({ type: 'PlaceLegalHold', data: { holdId: 'H-1', scope }, metadata: meta() })
        .thenNothingHappened();
      given([placed('H-1', scope)])
        .when({
          type: 'PlaceLegalHold',
          data: { holdId: 'H-1', scope: { kind: 'workload', id: 'W-1' } },
          metadata: meta(),
        })
        .thenThrows(AlreadyExistsError);
    });
  });

  describe('given an erased subject', () => {
    it('erasing again changes nothing', () => {
      given([
        {
          type: 'DataSubjectErased',
          data: {
            subjectId: 'emp-7',
            reason: 'r',
            erasedBy: 'u',
            erasedAt: NOW,
            recordsAffected: 0,
          },
        },
      ])
        .when(erase('emp-7'))
        .thenNothingHappened();
    });
  });
});

describe('legal hold scopes as APIs give them', () => {
  it('accepts each kind and refuses the rest naming the field', () => {
    expect(parseHoldScope('scope', { kind: 'release', id: 'R-1' })).toEqual({
      kind: 'release',
      id: 'R-1',
    });
    expect(
      parseHoldScope('scope', {
        kind: 'time-range',
        from: '2031-01-01T00:00:00Z',
        to: '2031-02-01T00:00:00+01:00',
      }),
    ).toEqual({
      kind: 'time-range',
      from: '2031-01-01T00:00:00.000Z',
      to: '2031-01-31T23:00:00.000Z',
    });
    const fieldOf = (input: Parameters<typeof parseHoldScope>[1]) => {
      try {
        parseHoldScope('scope', input);
        return 'accepted';
      } catch (error) {
        return (error as ValidationError).field;
      }
    };
    expect(fieldOf({})).toBe('scope.kind');
    expect(fieldOf({ kind: 'galaxy' })).toBe('scope.kind');
    expect(fieldOf({ kind: 'workload', id: '../etc' })).toBe('scope.id');
    expect(fieldOf({ kind: 'time-range', from: 'yesterday', to: '2031-01-01T00:00:00Z' })).toBe(
      'scope.from',
    );
    expect(
      fieldOf({ kind: 'time-range', from: '2031-02-01T00:00:00Z', to: '2031-01-01T00:00:00Z' }),
    ).toBe('scope.to');
  });

  it('covers only while in force', () => {
    const hold: LegalHold = {
      holdId: 'H',
      scope: { kind: 'workload', id: 'W-1' },
      reason: 'r',
      placedBy: 'u',
      placedAt: NOW,
    };
    const r = record({ workloadIds: ['W-1'] });
    expect(holdsCovering([hold], [r])).toEqual([hold]);
    expect(holdsCovering([{ ...hold, releasedAt: NOW }], [r])).toEqual([]);
  });
});

describe('retention decisions', () => {
  const policy: RetentionPolicy = parseRetentionPolicy({
    'ledger-entry': { archiveAfterDays: 30, deleteAfterDays: 365 },
    'event-log': { archiveAfterDays: 30 },
  });
  const at = (daysAgo: number, over: Partial<RecordFootprint> = {}) =>
    record({ recordedAt: new Date(Date.parse(NOW) - daysAgo * 86_400_000).toISOString(), ...over });

  it('given a record within its period, then it is kept', () => {
    expect(decideRetention('ledger-entry', at(10), policy, [], NOW).action).toBe('keep');
  });

  it('given a record past its archive period, then it is archived; past its delete period, deleted', () => {
    expect(decideRetention('ledger-entry', at(31), policy, [], NOW)).toMatchObject({
      action: 'archive',
      heldBy: [],
    });
    expect(decideRetention('ledger-entry', at(400), policy, [], NOW).action).toBe('delete');
    expect(decideRetention('event-log', at(4000), policy, [], NOW).action).toBe('archive');
  });

  it('given a record type without a period, then it is kept', () => {
    expect(decideRetention('evidence-bundle', at(9999), policy, [], NOW).action).toBe('keep');
  });

  it('given a legal hold covering the record, then deletion and archival are suspended, naming the hold', () => {
    const hold: LegalHold = {
      holdId: 'H-5',
      scope: { kind: 'workload', id: 'W-1' },
      reason: 'r',
      placedBy: 'u',
      placedAt: NOW,
    };
    expect(
      decideRetention('ledger-entry', at(400, { workloadIds: ['W-1'] }), policy, [hold], NOW),
    ).toEqual({
      action: 'keep',
      reason: 'delete suspended by legal hold H-5',
      heldBy: ['H-5'],
    });
    expect(
      decideRetention('ledger-entry', at(400, { workloadIds: ['W-2'] }), policy, [hold], NOW)
        .action,
    ).toBe('delete');
  });

  it('refuses a policy with bad periods, naming the field', () => {
    const fieldOf = (input: unknown) => {
      try {
        parseRetentionPolicy(input);
        return 'accepted';
      } catch (error) {
        return (error as ValidationError).field;
      }
    };
    expect(fieldOf({ 'ledger-entry': { archiveAfterDays: -1 } })).toBe(
      'retention.ledger-entry.archiveAfterDays',
    );
    expect(fieldOf({ 'ledger-entry': { archiveAfterDays: 10, deleteAfterDays: 5 } })).toBe(
      'retention.ledger-entry.deleteAfterDays',
    );
    expect(fieldOf({ 'Bad Type': {} })).toBe('retention');
    expect(fieldOf([])).toBe('retention');
  });
});
