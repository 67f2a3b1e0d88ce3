import type {
  AccessEvent,
  ComplianceFindingRaised,
  ComplianceSampleDrawn,
} from '@trainyard/compliance-domain';
import { asyncApiContract, storedEventOf } from '@trainyard/testing';
import {
  COMPLIANCE_EVENT_SOURCE,
  complianceCloudEventType,
  complianceIntegrationEventOf,
} from './index';

// Access-administration and sampling events (issue 13 items 7 and 8) validate against the AsyncAPI document, headers included.
const contract = asyncApiContract('compliance.asyncapi.yaml');

type Published = AccessEvent | ComplianceSampleDrawn | ComplianceFindingRaised;
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
    const { problems, publications, internal } = contract.publishAll(events, {
      service: 'compliance',
      publish: complianceIntegrationEventOf,
      stored: (event, n) =>
        storedEventOf(event, n, { streamId: 'access-model-default', metadata: { actor: 'sam' } }),
    });
    expect(internal).toEqual([]);
    expect(problems).toEqual([]);
    for (const { published, message } of publications)
      expect(message.headers).toMatchObject({
        ce_type: complianceCloudEventType(published),
        ce_source: COMPLIANCE_EVENT_SOURCE,
      });
  });
});
