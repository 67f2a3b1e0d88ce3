import { DeciderSpecification, RuleViolation, ValidationError } from '@trainyard/kernel';
import type { LegalHold, RecordFootprint } from './legal-hold';
import { privacyDecider, type PrivacyCommand, type PrivacyEvent } from './privacy-register';
import { DEFAULT_RETENTION_POLICY } from './retention';
import { retentionCutoff, type RetentionSweepOutcome } from './retention-sweep';

// A retention pass recorded on the privacy register: what it removed per record type, with the
// cut-off and the rows legal holds kept; refused when it did not see a hold in force.
const NOW = '2031-06-01T00:00:00.000Z';
const given = DeciderSpecification.for(privacyDecider, { footprint: [] as RecordFootprint[] });
const hold = (holdId: string, scope: LegalHold['scope']): PrivacyEvent => ({
  type: 'LegalHoldPlaced',
  data: { holdId, scope, reason: 'litigation', placedBy: 'user:legal', placedAt: NOW },
});
const sweep = (outcomes: RetentionSweepOutcome[], holdsApplied: string[] = []): PrivacyCommand => ({
  type: 'RecordRetentionSweep',
  data: { sweepId: 'S-1', outcomes, holdsApplied },
  metadata: { now: NOW, actor: 'compliance-retention-sweeper', reason: 'retention period ended' },
});
const purged = (count: number, heldBack: RetentionSweepOutcome['heldBack'] = []) =>
  ({
    recordType: 'ledger-entry',
    action: 'purged',
    cutoff: '2024-06-01T00:00:00.000Z',
    count,
    heldBack,
  }) as const;

describe('retention sweep on the privacy register', () => {
  describe('given no holds', () => {
    it('records what a pass deleted, with its cut-off, who and when', () => {
      given([])
        .when(sweep([purged(3)]))
        .then([
          {
            type: 'RecordsPurged',
            data: {
              sweepId: 'S-1',
              recordType: 'ledger-entry',
              cutoff: '2024-06-01T00:00:00.000Z',
              count: 3,
              heldBack: [],
              purgedBy: 'compliance-retention-sweeper',
              purgedAt: NOW,
            },
          },
        ]);
    });

    it('records an archive with its file, digest and line root', () => {
      const archive = {
        file: 'ledger-entry-x.ndjson',
        sha256: 'a'.repeat(64),
        entriesRoot: 'b'.repeat(64),
        firstRecordedAt: '2029-01-01T00:00:00.000Z',
        lastRecordedAt: '2029-02-01T00:00:00.000Z',
      };
      given([])
        .when(sweep([{ ...purged(2), action: 'archived', archive }]))
        .thenEvents((events) =>
          expect(events).toEqual([
            {
              type: 'RecordsArchived',
              data: expect.objectContaining({
                ...archive,
                count: 2,
                archivedBy: 'compliance-retention-sweeper',
                archivedAt: NOW,
              }) as unknown,
            },
          ]),
        );
    });

    it('names the rows removed, so a rebuilt read model drops them again', () => {
      given([])
        .when(sweep([{ ...purged(2), recordIds: ['L-1', 'L-2'] }]))
        .thenEvents((events) =>
          expect(events[0]?.data).toMatchObject({ recordIds: ['L-1', 'L-2'] }),
        );
      given([])
        .when(sweep([{ ...purged(2), recordIds: ['L-1'] }]))
        .thenThrows(ValidationError, { field: 'recordIds' });
    });

    it('then a pass that removed nothing records nothing', () => {
      given([])
        .when(sweep([purged(0, [{ holdId: 'H-1', records: 2 }])]))
        .thenNothingHappened();
    });

    it('refuses an archive outcome without its file, and a negative count', () => {
      given([])
        .when(sweep([{ ...purged(1), action: 'archived' }]))
        .thenThrows(ValidationError, { field: 'archive' });
      given([])
        .when(sweep([purged(-1)]))
        .thenThrows(ValidationError, { field: 'count' });
    });
  });

  describe('given a hold in force', () => {
    it('records the rows it kept beside what was deleted', () => {
      given([hold('H-1', { kind: 'workload', id: 'W-1' })])
        .when(sweep([purged(1, [{ holdId: 'H-1', records: 4 }])], ['H-1']))
        .thenEvents((events) =>
          expect(events[0]?.data).toMatchObject({ heldBack: [{ holdId: 'H-1', records: 4 }] }),
        );
    });

    it('refuses a pass that did not see it (placed after the pass read the register)', () => {
      given([hold('H-1', { kind: 'workload', id: 'W-1' })])
        .when(sweep([purged(1)], []))
        .thenThrows(RuleViolation, { rule: 'privacy.legal-hold' });
    });

    it('accepts a pass that did not see a hold released since', () => {
      given([
        hold('H-1', { kind: 'workload', id: 'W-1' }),
        {
          type: 'LegalHoldReleased',
          data: { holdId: 'H-1', reason: 'settled', releasedBy: 'user:legal', releasedAt: NOW },
        },
      ])
        .when(sweep([purged(1)], []))
        .thenEvents((events) => expect(events.map((e) => e.type)).toEqual(['RecordsPurged']));
    });
  });
});

describe('retention cut-offs', () => {
  it('counts the period back from now; no period, no cut-off', () => {
    expect(retentionCutoff(DEFAULT_RETENTION_POLICY, 'webhook-delivery', 'delete', NOW)).toBe(
      '2030-06-01T00:00:00.000Z',
    );
    expect(retentionCutoff(DEFAULT_RETENTION_POLICY, 'ledger-entry', 'archive', NOW)).toBe(
      '2029-06-01T00:00:00.000Z',
    );
    expect(retentionCutoff(DEFAULT_RETENTION_POLICY, 'webhook-delivery', 'archive', NOW)).toBe(
      undefined,
    );
    expect(retentionCutoff({}, 'ledger-entry', 'delete', NOW)).toBeUndefined();
  });
});
