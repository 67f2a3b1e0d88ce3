import { evaluatePolicyBundle, type PolicyEvent } from '@trainyard/compliance-domain';
import { asyncApiContract } from '@trainyard/testing';
import {
  COMPLIANCE_ASYNCAPI_ID,
  COMPLIANCE_EVENT_SOURCE,
  COMPLIANCE_EVENTS_TOPIC,
  COMPLIANCE_INTEGRATION_EVENTS,
  complianceCloudEventType,
  complianceDataschema,
  complianceIntegrationEventOf,
  type PolicyEvaluatedRecord,
} from './index';

// The AsyncAPI document is what GRC tools code against: every event compliance publishes must
// validate against it, headers included.
const contract = asyncApiContract('compliance.asyncapi.yaml');

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
// PolicyEvaluated as the service hands it over: its explanation expanded (publishedEventOf).
const events: (PolicyEvent | PolicyEvaluatedRecord)[] = [
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
    expect(await contract.parsed()).toEqual({
      problems: [],
      id: COMPLIANCE_ASYNCAPI_ID,
      channels: [COMPLIANCE_EVENTS_TOPIC],
      messages: Object.keys(COMPLIANCE_INTEGRATION_EVENTS).sort(),
      withoutDataschemaHeader: [],
    });
  });

  it('documents a message and its schema for every published event, and no other', () => {
    const catalogue = Object.entries(COMPLIANCE_INTEGRATION_EVENTS).flatMap(([type, versions]) =>
      versions.map((version) => ({ type, version })),
    );
    expect(contract.undocumented(catalogue, { whole: true })).toEqual([]);
  });

  it('validates every published message (headers and payload) and keeps proposals internal', () => {
    const { problems, publications } = contract.publishAll(events, {
      service: 'compliance',
      publish: complianceIntegrationEventOf,
    });
    expect(problems).toEqual([]);
    for (const { published, message } of publications) {
      expect(message.headers).toMatchObject({
        ce_type: complianceCloudEventType(published),
        ce_source: COMPLIANCE_EVENT_SOURCE,
        ce_dataschema: complianceDataschema(published),
      });
      expect(JSON.parse(message.value?.toString('utf8') ?? 'null')).not.toHaveProperty('facts');
    }
    expect(publications.map((p) => p.published.type)).toEqual([
      'PolicyBundleApproved',
      'PolicyEvaluated',
    ]);
    expect(complianceIntegrationEventOf({ type: 'PolicyRescored', data: {} })).toBeUndefined();
  });
});
