import { projectEvents } from '@trainyard/kernel';
import {
  evaluatePolicyBundle,
  evaluatePolicyBundleCompact,
  type PolicyRule,
} from '@trainyard/compliance-domain';
import {
  complianceProjection,
  type ComplianceEvent,
  type ProjectedComplianceEvent,
} from './compliance.projection';

const rule: PolicyRule = {
  id: 'two-approvers',
  description: 'Two approvers.',
  expression: 'facts.approvals.size() >= 2',
  controls: ['SOC2:CC8.1'],
  effect: 'block',
  triggers: ['workload-registered'],
};
const at = '2031-05-04T09:00:00.000Z';
const events: ComplianceEvent[] = [
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
    type: 'PolicyBundleProposed',
    data: {
      policyId: 'cc',
      version: '1.1.0',
      title: 'CC 2',
      rules: [rule],
      proposedBy: 'alice',
      proposedAt: at,
    },
  },
  {
    type: 'PolicyBundleRejected',
    data: { policyId: 'cc', version: '1.1.0', reason: 'No.', rejectedBy: 'bob', rejectedAt: at },
  },
];
const projected = (list: ComplianceEvent[]): ProjectedComplianceEvent[] =>
  list.map((event, i) => ({ event, streamVersion: i + 1 }));

describe('compliance read models', () => {
  it('keep each policy with its active version and each version with its review', () => {
    const tables = projectEvents(complianceProjection, projected(events));
    expect(tables.policies).toEqual([
      expect.objectContaining({
        policyId: 'cc',
        activeVersion: '1.0.0',
        latestVersion: '1.1.0',
        versionCount: 2,
      }),
    ]);
    expect(tables.policy_versions).toEqual([
      expect.objectContaining({ version: '1.0.0', status: 'Approved', decidedBy: 'bob' }),
      expect.objectContaining({ version: '1.1.0', status: 'Rejected', reason: 'No.' }),
    ]);
  });

  it('keep every evaluation with its explanation, expanded from the stored compact form', () => {
    const bundle = { policyId: 'cc', version: '1.0.0', rules: [rule] };
    const evaluation = evaluatePolicyBundle(bundle, 'workload-registered', { approvals: [] });
    const compact = evaluatePolicyBundleCompact(bundle, 'workload-registered', { approvals: [] });
    const evaluated: ComplianceEvent = {
      type: 'PolicyEvaluated',
      schemaVersion: 2,
      data: {
        evaluationId: 'E-1',
        subject: { type: 'workload', id: 'W-1' },
        trigger: 'workload-registered',
        facts: { approvals: [] },
        policyId: 'cc',
        bundleVersion: '1.0.0',
        evaluatorVersion: compact.evaluatorVersion,
        result: compact.result,
        explanation: compact.explanation,
        evaluatedBy: 'compliance',
        evaluatedAt: at,
      },
    };
    const tables = projectEvents(complianceProjection, projected([evaluated]));
    expect(tables.policy_evaluations).toEqual([
      expect.objectContaining({
        evaluationId: 'E-1',
        subjectId: 'W-1',
        result: 'blocked',
        explanation: evaluation.rules,
      }),
    ]);
  });

  // Events stored before schema version 2 hold the rules as objects; a rebuild must still read them.
  it('keep an evaluation stored as schema version 1 with its explanation as stored', () => {
    const evaluation = evaluatePolicyBundle(
      { policyId: 'cc', version: '1.0.0', rules: [rule] },
      'workload-registered',
      { approvals: [] },
    );
    const storedV1 = {
      type: 'PolicyEvaluated',
      data: {
        evaluationId: 'E-1',
        subject: { type: 'workload', id: 'W-1' },
        trigger: 'workload-registered',
        facts: { approvals: [] },
        policyId: 'cc',
        bundleVersion: '1.0.0',
        evaluatorVersion: evaluation.evaluatorVersion,
        result: evaluation.result,
        rules: evaluation.rules,
        evaluatedBy: 'compliance',
        evaluatedAt: at,
      },
    } as unknown as ComplianceEvent;
    const tables = projectEvents(complianceProjection, projected([storedV1]));
    expect(tables.policy_evaluations).toEqual([
      expect.objectContaining({ evaluationId: 'E-1', explanation: evaluation.rules }),
    ]);
  });

  it('drop the evaluations a retention pass removed, and only those (a rebuild keeps them gone)', () => {
    const evaluated = (evaluationId: string): ComplianceEvent => ({
      type: 'PolicyEvaluated',
      schemaVersion: 2,
      data: {
        evaluationId,
        subject: { type: 'workload', id: 'W-1' },
        trigger: 'workload-registered',
        facts: {},
        policyId: 'cc',
        bundleVersion: '1.0.0',
        evaluatorVersion: 'e1',
        result: 'allowed',
        explanation: '[]',
        evaluatedBy: 'compliance',
        evaluatedAt: at,
      },
    });
    const sweep = { sweepId: 's', cutoff: at, heldBack: [] };
    const tables = projectEvents(
      complianceProjection,
      projected([
        ...events,
        evaluated('E-1'),
        evaluated('E-2'),
        evaluated('E-3'),
        evaluated('E-4'),
        {
          type: 'RecordsPurged',
          data: {
            ...sweep,
            recordType: 'policy-evaluation',
            count: 1,
            recordIds: ['E-1'],
            purgedBy: 'dpo',
            purgedAt: at,
          },
        },
        {
          type: 'RecordsArchived',
          data: {
            ...sweep,
            recordType: 'policy-evaluation',
            count: 1,
            recordIds: ['E-2'],
            file: 'f',
            sha256: 'x',
            entriesRoot: 'r',
            firstRecordedAt: at,
            lastRecordedAt: at,
            archivedBy: 'dpo',
            archivedAt: at,
          },
        },
        // Another type's ids, and a purge recorded before ids were, name no evaluation.
        {
          type: 'RecordsPurged',
          data: {
            ...sweep,
            recordType: 'ledger-entry',
            count: 1,
            recordIds: ['E-3'],
            purgedBy: 'dpo',
            purgedAt: at,
          },
        },
        {
          type: 'RecordsPurged',
          data: {
            ...sweep,
            recordType: 'policy-evaluation',
            count: 2,
            purgedBy: 'dpo',
            purgedAt: at,
          },
        },
      ]),
    );
    expect(
      tables.policy_evaluations?.map((row) => (row as { evaluationId: string }).evaluationId),
    ).toEqual(['E-3', 'E-4']);
    expect(tables).toMatchObject({
      policies: projectEvents(complianceProjection, projected(events)).policies,
    });
  });
});
