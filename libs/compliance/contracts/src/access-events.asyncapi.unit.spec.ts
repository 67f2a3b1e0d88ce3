import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parse } from 'yaml';
import type { StoredEvent } from '@trainyard/event-store';
import { toIntegrationCloudEventMessage } from '@trainyard/messaging';
import type {
  AccessEvent,
  ComplianceFindingRaised,
  ComplianceSampleDrawn,
} from '@trainyard/compliance-domain';
import {
  COMPLIANCE_EVENT_SOURCE,
  complianceCloudEventType,
  complianceIntegrationEventOf,
} from './index';

// Access-administration and sampling events (issue 13 items 7 and 8) validate against the AsyncAPI document, headers included.
const SOURCE = readFileSync(
  join(__dirname, '..', '..', '..', '..', 'docs', 'asyncapi', 'compliance.asyncapi.yaml'),
  'utf8',
);

type JsonSchema = Record<string, unknown>;
interface AsyncApiDocument {
  id: string;
  channels: { complianceEvents: { address: string; messages: Record<string, unknown> } };
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

type Published = AccessEvent | ComplianceSampleDrawn | ComplianceFindingRaised;
const stored = (event: Published, n: number): StoredEvent => ({
  position: BigInt(n),
  transactionId: BigInt(1000 + n),
  streamId: `access-model-default`,
  streamVersion: n,
  type: event.type,
  schemaVersion: 1,
  data: event.data,
  metadata: {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    correlationId: `corr-${n}`,
    actor: 'sam',
  },
  recordedAt: new Date(Date.UTC(2031, 4, 4, 9, n)),
});

const at = '2031-05-04T09:00:00.000Z';
const role = { name: 'admin', description: 'd', privileged: true, permissions: ['planning:read'] };
const events: Published[] = [
  {
    type: 'AccessChangeProposed',
    data: { changeId: 'c-1', change: { kind: 'PutRole', role }, proposedBy: 'sam', proposedAt: at },
  },
  {
    type: 'AccessChangeProposed',
    data: {
      changeId: 'c-2',
      change: { kind: 'GrantRole', subject: 'dana', role: 'admin' },
      proposedBy: 'sam',
      reason: 'on call',
      proposedAt: at,
    },
  },
  {
    type: 'AccessChangeApproved',
    data: { changeId: 'c-1', proposedBy: 'sam', approvedBy: 'pat', approvedAt: at },
  },
  {
    type: 'AccessRolePut',
    data: {
      role,
      previous: { ...role, permissions: [] },
      changedBy: 'sam',
      approvedBy: 'pat',
      changeId: 'c-1',
      modelVersion: 1,
      changedAt: at,
    },
  },
  {
    type: 'AccessRoleGranted',
    data: { subject: 'dana', role: 'viewer', grantedBy: 'sam', modelVersion: 2, grantedAt: at },
  },
  {
    type: 'AccessRoleRevoked',
    data: { subject: 'dana', role: 'viewer', revokedBy: 'sam', modelVersion: 3, revokedAt: at },
  },
  { type: 'AccessChangeRejected', data: { changeId: 'c-2', rejectedBy: 'pat', rejectedAt: at } },
  {
    type: 'ComplianceSampleDrawn',
    data: {
      sampleId: 's-1',
      period: '2031-05',
      seed: 'q2',
      percent: 10,
      population: 3,
      sampled: ['R-1'],
      rulesVersion: '2',
      drawnAt: at,
    },
  },
  {
    type: 'ComplianceFindingRaised',
    data: {
      sampleId: 's-1',
      releaseId: 'R-1',
      rule: 'regulated-signed-off',
      rulesVersion: '2',
      workloadId: 'W-1',
      message: 'no sign-off',
      evidence: { signOffs: [] },
      raisedAt: at,
    },
  },
];

describe('access and sampling events against docs/asyncapi/compliance.asyncapi.yaml', () => {
  it('every event is published and validates (headers and payload)', () => {
    const failures: string[] = [];
    events.forEach((event, i) => {
      const integration = complianceIntegrationEventOf(event);
      if (!integration) return failures.push(`${event.type} not published`);
      const message = toIntegrationCloudEventMessage(
        stored(event, i + 1),
        integration,
        'compliance',
      );
      const headers = headersSchema.safeParse(message.headers);
      if (!headers.success) failures.push(`${event.type} headers: ${headers.error.message}`);
      expect(message.headers).toMatchObject({
        ce_type: complianceCloudEventType(integration),
        ce_source: COMPLIANCE_EVENT_SOURCE,
      });
      const value: unknown = JSON.parse(message.value?.toString('utf8') ?? 'null');
      const data = schemaOfDataschema(message.headers['ce_dataschema'] ?? '').safeParse(value);
      if (!data.success) failures.push(`${event.type} data: ${data.error.message}`);
      return undefined;
    });
    expect(failures).toEqual([]);
  });
});
