import type { PrivacyEvent } from '@trainyard/compliance-domain';
import { asyncApiContract, storedEventOf } from '@trainyard/testing';
import {
  COMPLIANCE_EVENT_SOURCE,
  complianceCloudEventType,
  complianceDataschema,
  complianceIntegrationEventOf,
} from './index';

// Legal holds, erasures and retention passes (issue 13 items 6 and 9) are on the GRC feed and
// validate against the AsyncAPI document, headers included; none carries personal data.
const contract = asyncApiContract('compliance.asyncapi.yaml');

const at = '2031-05-04T09:00:00.000Z';
const sweep = {
  sweepId: '6f1c0a8e-2b0e-4c51-9a59-1c3e0f2a7b10',
  recordType: 'ledger-entry',
  cutoff: '2024-05-04T09:00:00.000Z',
  count: 12,
  heldBack: [{ holdId: 'H-1', records: 3 }],
};
const events: PrivacyEvent[] = [
  {
    type: 'LegalHoldPlaced',
    data: {
      holdId: 'H-1',
      scope: { kind: 'workload', id: 'W-1' },
      reason: 'litigation',
      placedBy: 'user:legal',
      placedAt: at,
    },
  },
  {
    type: 'LegalHoldPlaced',
    data: {
      holdId: 'H-2',
      scope: { kind: 'time-range', from: at, to: '2031-06-01T00:00:00.000Z' },
      reason: 'investigation',
      placedBy: 'user:legal',
      placedAt: at,
    },
  },
  {
    type: 'LegalHoldReleased',
    data: { holdId: 'H-2', reason: 'closed', releasedBy: 'user:legal', releasedAt: at },
  },
  {
    type: 'DataSubjectErased',
    data: {
      subjectId: 'emp-7',
      reason: 'GDPR art. 17 request',
      erasedBy: 'user:dpo',
      erasedAt: at,
      recordsAffected: 2,
    },
  },
  { type: 'RecordsPurged', data: { ...sweep, purgedBy: 'user:dpo', purgedAt: at } },
  {
    type: 'RecordsArchived',
    data: {
      ...sweep,
      heldBack: [],
      file: 'ledger-entry-20310504090000-6f1c0a8e.ndjson',
      sha256: 'a'.repeat(64),
      entriesRoot: 'b'.repeat(64),
      firstRecordedAt: '2023-01-01T00:00:00.000Z',
      lastRecordedAt: '2024-05-01T00:00:00.000Z',
      archivedBy: 'compliance-retention-sweeper',
      archivedAt: at,
    },
  },
];

describe('privacy and retention events against docs/asyncapi/compliance.asyncapi.yaml', () => {
  it('every event is published on the GRC feed and validates (headers and payload)', () => {
    const { problems, publications, internal } = contract.publishAll(events, {
      service: 'compliance',
      publish: complianceIntegrationEventOf,
      stored: (event, n) =>
        storedEventOf(event, n, {
          streamId: 'privacy-register',
          metadata: { actor: 'user:dpo', reason: 'case 2031-17' },
        }),
    });
    expect(internal).toEqual([]);
    expect(problems).toEqual([]);
    for (const { event, published, message } of publications) {
      expect(message.headers).toMatchObject({
        ce_type: complianceCloudEventType(published),
        ce_source: COMPLIANCE_EVENT_SOURCE,
        ce_dataschema: complianceDataschema(published),
        ce_subject: 'privacy-register',
      });
      expect(JSON.parse(message.value?.toString('utf8') ?? 'null')).toEqual(event.data);
    }
  });

  it('refuses a payload that breaks the documented schema (the check can fail)', () => {
    const schema = contract.schemaOfDataschema(
      complianceDataschema({ type: 'RecordsArchived', version: 1 }),
    );
    expect(schema.safeParse({ ...sweep, sha256: 'not-hex' }).success).toBe(false);
    const hold = contract.schemaOfDataschema(
      complianceDataschema({ type: 'LegalHoldPlaced', version: 1 }),
    );
    expect(
      hold.safeParse({
        holdId: 'H-3',
        scope: { kind: 'planet', id: 'x' },
        reason: 'r',
        placedBy: 'u',
        placedAt: at,
      }).success,
    ).toBe(false);
  });
});
