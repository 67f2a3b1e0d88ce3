import type { Trigger } from '../policy/policy-rule';
import type { Facts } from './cel-values';

/**
 * A typed example of the facts each trigger carries: what `compileRule` type-checks expressions
 * against, and the documentation of the fields rules can read. Planning triggers carry the
 * planning event's payload (`@trainyard/planning-contracts`); access requests the AuthZEN request.
 */
export const FACT_SAMPLES: Readonly<Record<Trigger, Facts>> = {
  'workload-registered': {
    workloadId: 'W-1',
    title: 'Payment retries',
    team: 'payments',
    components: [{ name: 'payments-api', kind: 'service' }],
    regulatedData: ['pii'],
    jobSize: 5,
    businessValue: 8,
    timeCriticality: 3,
    riskReduction: 2,
    dependsOn: [],
    schemaChange: false,
    classification: { changeType: 'normal', ruleId: 'fallback', explanation: 'x' },
    riskTier: 'high',
    approvalPath: 'cab',
    riskReasons: ['regulated data'],
    route: { trackId: 'train', trackKind: 'train' },
    policyVersion: '1',
    registeredBy: 'alice',
    registeredAt: '2031-05-04T09:00:00.000Z',
    approvals: ['bob', 'carol'],
  },
  'scope-committed': {
    releaseId: 'R-1',
    trainId: 'T-1',
    workloads: [
      { workloadId: 'W-1', team: 'payments', jobSize: 5, changeType: 'normal', order: 1 },
    ],
    deploymentOrder: [{ workloadId: 'W-1', wave: 1 }],
    capacityTotal: 40,
    capacityUsed: 30,
    deferredCount: 0,
    policyVersion: '1',
    committedBy: 'alice',
    committedAt: '2031-05-04T09:00:00.000Z',
  },
  'access-requested': {
    subject: { type: 'user', id: 'alice', properties: { roles: ['deployer'] } },
    action: { name: 'deploy', properties: {} },
    resource: { type: 'workload', id: 'W-1', properties: { environment: 'prod' } },
    context: { time: '2031-05-04T09:00:00.000Z' },
  },
  'on-request': {},
};
