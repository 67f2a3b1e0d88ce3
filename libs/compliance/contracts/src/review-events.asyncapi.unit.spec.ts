import type { ReviewEvent } from '@trainyard/compliance-domain';
import { asyncApiContract } from '@trainyard/testing';
import {
  COMPLIANCE_EVENT_SOURCE,
  complianceCloudEventType,
  complianceIntegrationEventOf,
} from './index';

// Review events (issue 13 item 3) validate against the AsyncAPI document, headers included.
const contract = asyncApiContract('compliance.asyncapi.yaml');

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
    const { problems, publications } = contract.publishAll(events, {
      service: 'compliance',
      publish: complianceIntegrationEventOf,
    });
    expect(problems).toEqual([]);
    for (const { published, message } of publications)
      expect(message.headers).toMatchObject({
        ce_type: complianceCloudEventType(published),
        ce_source: COMPLIANCE_EVENT_SOURCE,
      });
    expect(publications.map((p) => p.published.type)).toEqual([
      'ChangeSignedOff',
      'ChangeReviewApproved',
      'DeploymentRefused',
      'RetrospectiveReviewOverdue',
    ]);
  });
});
