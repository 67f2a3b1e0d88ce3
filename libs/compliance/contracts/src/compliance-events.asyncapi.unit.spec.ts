import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { z } from 'zod';
import { parse } from 'yaml';
import type { StoredEvent } from '@trainyard/event-store';
import { toIntegrationCloudEventMessage } from '@trainyard/messaging';
import {
  evaluatePolicyBundle,
  type PolicyEvaluated,
  type PolicyEvent,
} from '@trainyard/compliance-domain';
import {
  COMPLIANCE_ASYNCAPI_ID,
  COMPLIANCE_EVENT_SOURCE,
  COMPLIANCE_EVENTS_TOPIC,
  COMPLIANCE_INTEGRATION_EVENTS,
  complianceCloudEventType,
  complianceDataschema,
  complianceIntegrationEventOf,
} from './index';

// The AsyncAPI document is what GRC tools code against: every event compliance publishes must
// validate against it, headers included.
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

const stored = (event: PolicyEvent | PolicyEvaluated, n: number): StoredEvent => ({
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
const rule = {
  id: 'two-approvers',
  description: 'Two approvers.',
  expression: 'facts.approvals.size() >= 2',
  controls: ['SOC2:CC8.1'],
  effect: 'block' as const,
  triggers: ['workload-registered' as const],
};
const evaluation = evaluatePolicyBundle(
  { policyId: 'cc', version: '1.0.0', rules: [rule] },
  'workload-registered',
  { approvals: ['bob'] },
);
const events: (PolicyEvent | PolicyEvaluated)[] = [
  {
    type: 'PolicyBundleProposed',
    data: {
      policyId: 'cc',
      version: '1.0.0',
      title: 'CC',
      rules: [rule],
      proposedBy: 'alice',
      proposedAt: at,
    },
  },
  {
    type: 'PolicyBundleApproved',
    data: {
      policyId: 'cc',
      version: '1.0.0',
      proposedBy: 'alice',
      approvedBy: 'bob',
      approvedAt: at,
    },
  },
  {
    type: 'PolicyEvaluated',
    data: {
      evaluationId: 'E-1',
      subject: { type: 'workload', id: 'W-1' },
      trigger: 'workload-registered',
      facts: { approvals: ['bob'] },
      policyId: 'cc',
      bundleVersion: '1.0.0',
      evaluatorVersion: evaluation.evaluatorVersion,
      result: evaluation.result,
      rules: evaluation.rules,
      cause: { eventId: 'ev-1', eventType: 'WorkloadRegistered' },
      evaluatedBy: 'compliance',
      evaluatedAt: at,
    },
  },
];

describe('docs/asyncapi/compliance.asyncapi.yaml', () => {
  it('is a valid AsyncAPI document with one message per published event', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(SOURCE);
    const severe: number[] = [DiagnosticSeverity.Error, DiagnosticSeverity.Warning];
    expect(
      diagnostics
        .filter((d) => severe.includes(d.severity))
        .map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`),
    ).toEqual([]);
    expect(parsed?.info().id()).toBe(COMPLIANCE_ASYNCAPI_ID);
    expect(
      parsed
        ?.channels()
        .all()
        .map((c) => c.address()),
    ).toEqual([COMPLIANCE_EVENTS_TOPIC]);
    expect(
      parsed
        ?.messages()
        .all()
        .map((m) => m.id())
        .sort(),
    ).toEqual(Object.keys(COMPLIANCE_INTEGRATION_EVENTS).sort());
  });

  it('validates every published message (headers and payload) and keeps proposals internal', () => {
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
        ce_dataschema: complianceDataschema(integration),
      });
      const value: unknown = JSON.parse(message.value?.toString('utf8') ?? 'null');
      const data = schemaOfDataschema(message.headers['ce_dataschema'] ?? '').safeParse(value);
      if (!data.success) failures.push(`${event.type} data: ${data.error.message}`);
      expect(value).not.toHaveProperty('facts');
      return [integration.type];
    });
    expect(failures).toEqual([]);
    expect(published).toEqual(['PolicyBundleApproved', 'PolicyEvaluated']);
    expect(complianceIntegrationEventOf({ type: 'PolicyRescored', data: {} })).toBeUndefined();
  });
});
