import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parse } from 'yaml';
import type { StoredEvent } from '@trainyard/event-store';
import { toIntegrationCloudEventMessage } from '@trainyard/messaging';
import type { ReviewEvent } from '@trainyard/compliance-domain';
import {
  COMPLIANCE_EVENT_SOURCE,
  complianceCloudEventType,
  complianceIntegrationEventOf,
} from './index';

// Review events (issue 13 item 3) validate against the AsyncAPI document, headers included.
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

const stored = (event: ReviewEvent, n: number): StoredEvent => ({
  position: BigInt(n),
  transactionId: BigInt(1000 + n),
  streamId: `stream-${n}`,
  streamVersion: n,
  type: event.type,
  schemaVersion: 1,
  data: event.data,
  metadata: {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    correlationId: `corr-${n}`,
    actor: 'alice',
  },
  recordedAt: new Date(Date.UTC(2031, 4, 4, 9, n)),
});

const at = '2031-05-04T09:00:00.000Z';
const events: ReviewEvent[] = [
  {
    type: 'ChangeReviewOpened',
    data: {
      workloadId: 'W-1',
      title: 'Vault',
      author: 'alice',
      dataClasses: ['pii'],
      policyVersion: '1.0.0',
      requiredSignOffs: 2,
      allowedRoles: ['approver'],
      openedAt: at,
    },
  },
  {
    type: 'ChangeSignedOff',
    data: {
      workloadId: 'W-1',
      signer: 'bob',
      role: 'approver',
      signedAt: at,
      signOffs: 1,
      requiredSignOffs: 2,
    },
  },
  {
    type: 'ChangeReviewApproved',
    data: { workloadId: 'W-1', signers: ['bob', 'carol'], approvedAt: at },
  },
  {
    type: 'DeploymentRefused',
    data: {
      workloadId: 'W-1',
      deployer: 'bob',
      rule: 'sod-approver-cannot-deploy',
      reason: 'Signed.',
      decidedAt: at,
    },
  },
  { type: 'DeploymentAuthorised', data: { workloadId: 'W-1', deployer: 'dave', decidedAt: at } },
  {
    type: 'RetrospectiveReviewOverdue',
    data: { workloadId: 'W-1', releaseId: 'R-1', dueAt: at, detectedAt: at },
  },
];

describe('review events on docs/asyncapi/compliance.asyncapi.yaml', () => {
  it('validates every published review message and keeps openings and authorisations internal', () => {
    const failures: string[] = [];
    const published = events.flatMap((event, i) => {
      const integration = complianceIntegrationEventOf(event);
      if (!integration) return [];
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
      return [integration.type];
    });
    expect(failures).toEqual([]);
    expect(published).toEqual([
      'ChangeSignedOff',
      'ChangeReviewApproved',
      'DeploymentRefused',
      'RetrospectiveReviewOverdue',
    ]);
  });
});
