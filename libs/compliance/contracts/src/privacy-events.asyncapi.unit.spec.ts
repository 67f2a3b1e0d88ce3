import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parse } from 'yaml';
import type { StoredEvent } from '@trainyard/event-store';
import { toIntegrationCloudEventMessage } from '@trainyard/messaging';
import type { PrivacyEvent } from '@trainyard/compliance-domain';
import {
  COMPLIANCE_EVENT_SOURCE,
  complianceCloudEventType,
  complianceDataschema,
  complianceIntegrationEventOf,
} from './index';

// Legal holds, erasures and retention passes (issue 13 items 6 and 9) are on the GRC feed and
// validate against the AsyncAPI document, headers included; none carries personal data.
const SOURCE = readFileSync(
  join(__dirname, '..', '..', '..', '..', 'docs', 'asyncapi', 'compliance.asyncapi.yaml'),
  'utf8',
);

type JsonSchema = Record<string, unknown>;
interface AsyncApiDocument {
  id: string;
  components: {
    messageTraits: { cloudEventsBinary: { headers: JsonSchema } };
    schemas: Record<string, JsonSchema>;
  };
}
const document = parse(SOURCE) as AsyncApiDocument;
const definitions = JSON.parse(
  JSON.stringify(document.components.schemas).replaceAll('#/components/schemas/', '#/definitions/'),
) as Record<string, unknown>;
const schemaOfDataschema = (uri: string) => {
  const [base, pointer] = uri.split('#');
  if (base !== document.id || !pointer)
    throw new Error(`${uri} does not point into ${document.id}`);
  return z.fromJSONSchema(
    { $ref: `#/definitions/${pointer.replace('/components/schemas/', '')}`, definitions },
    { defaultTarget: 'draft-7' },
  );
};
const headersSchema = z.fromJSONSchema(
  document.components.messageTraits.cloudEventsBinary.headers,
  { defaultTarget: 'draft-7' },
);

const stored = (event: PrivacyEvent, n: number): StoredEvent => ({
  position: BigInt(n),
  transactionId: BigInt(1000 + n),
  streamId: 'privacy-register',
  streamVersion: n,
  type: event.type,
  schemaVersion: 1,
  data: event.data,
  metadata: {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    correlationId: `corr-${n}`,
    actor: 'user:dpo',
    reason: 'case 2031-17',
  },
  recordedAt: new Date(Date.UTC(2031, 4, 4, 9, n)),
});

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
    const failures: string[] = [];
    events.forEach((event, i) => {
      const integration = complianceIntegrationEventOf(event);
      if (!integration) return failures.push(`${event.type} not published`);
      const message = toIntegrationCloudEventMessage(
        stored(event, i + 1),
        integration,
        'compliance',
      );
      expect(message.headers).toMatchObject({
        ce_type: complianceCloudEventType(integration),
        ce_source: COMPLIANCE_EVENT_SOURCE,
        ce_dataschema: complianceDataschema(integration),
        ce_subject: 'privacy-register',
      });
      const headers = headersSchema.safeParse(message.headers);
      if (!headers.success) failures.push(`${event.type} headers: ${headers.error.message}`);
      const value: unknown = JSON.parse(message.value?.toString('utf8') ?? 'null');
      expect(value).toEqual(event.data);
      const data = schemaOfDataschema(message.headers['ce_dataschema'] ?? '').safeParse(value);
      if (!data.success) failures.push(`${event.type} data: ${data.error.message}`);
      return undefined;
    });
    expect(failures).toEqual([]);
  });

  it('refuses a payload that breaks the documented schema (the check can fail)', () => {
    const schema = schemaOfDataschema(
      complianceDataschema({ type: 'RecordsArchived', version: 1 }),
    );
    expect(schema.safeParse({ ...sweep, sha256: 'not-hex' }).success).toBe(false);
    const hold = schemaOfDataschema(complianceDataschema({ type: 'LegalHoldPlaced', version: 1 }));
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
