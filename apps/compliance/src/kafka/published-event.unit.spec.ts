import {
  evaluatePolicyBundle,
  evaluationDecider,
  upcastPolicyEvaluatedV1,
  type PolicyBundleVersion,
  type PolicyEvaluatedV1,
} from '@trainyard/compliance-domain';
import { publishedEventOf } from './published-event';

const bundle: PolicyBundleVersion = {
  policyId: 'change-control',
  version: '1.0.0',
  rules: [
    {
      id: 'two-approvals',
      description: 'Two approvals, or a low-risk change',
      expression: "facts.approvals.size() >= 2 || facts.riskTier == 'low'",
      controls: ['SOC2:CC8.1'],
      effect: 'block',
      triggers: ['workload-registered'],
    },
    {
      id: 'no-self-approval',
      description: 'The registrant does not approve',
      expression: '!(facts.registeredBy in facts.approvals)',
      controls: ['SOC2:CC8.1'],
      effect: 'warn',
      triggers: ['workload-registered'],
    },
  ],
};
const facts = { approvals: ['bob'], riskTier: 'high', registeredBy: 'bob' };
const decided = evaluationDecider.decide(
  {
    type: 'EvaluatePolicy',
    data: {
      evaluationId: 'E-1',
      subject: { type: 'workload', id: 'W-1' },
      trigger: 'workload-registered',
      facts,
      cause: { eventId: 'ev-1', eventType: 'WorkloadRegistered' },
    },
    metadata: { now: '2031-05-04T09:00:00.000Z', actor: 'compliance' },
  },
  evaluationDecider.initialState(),
  { bundle },
)[0]!;

// What the same evaluation stored as schema version 1 (before issue 13), read back from jsonb.
const storedV1 = JSON.parse(
  JSON.stringify({
    ...decided.data,
    explanation: undefined,
    rules: evaluatePolicyBundle(bundle, 'workload-registered', facts).rules,
  }),
) as PolicyEvaluatedV1['data'];

describe('publishedEventOf: PolicyEvaluated', () => {
  it('publishes each rule with its sentence from the stored compact explanation', () => {
    const published = publishedEventOf({ type: 'PolicyEvaluated', data: decided.data });
    expect(published?.data).toMatchObject({
      result: 'blocked',
      rules: [
        {
          ruleId: 'two-approvals',
          outcome: 'failed',
          reason:
            '`facts.approvals.size() >= 2` was false (facts.approvals.size() = 1); `facts.riskTier == \'low\'` was false (facts.riskTier = "high").',
        },
        {
          ruleId: 'no-self-approval',
          outcome: 'failed',
          reason:
            '`facts.registeredBy in facts.approvals` was true (facts.registeredBy = "bob", facts.approvals = ["bob"]).',
        },
      ],
    });
  });

  // The integration event's schema did not change with the stored one: consumers see no difference.
  it('publishes the same integration event for a version 2 event as for its version 1 equivalent', () => {
    const fromV2 = publishedEventOf({ type: 'PolicyEvaluated', data: decided.data });
    expect(publishedEventOf({ type: 'PolicyEvaluated', data: storedV1 })).toEqual(fromV2);
    expect(
      publishedEventOf({ type: 'PolicyEvaluated', data: upcastPolicyEvaluatedV1(storedV1) }),
    ).toEqual(fromV2);
  });
});
