import { projectEvents } from '@trainyard/kernel';
import type { ReviewEvent } from '@trainyard/compliance-domain';
import { reviewProjection } from './review.projection';

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
  {
    type: 'RetrospectiveReviewOpened',
    data: {
      workloadId: 'W-1',
      releaseId: 'R-1',
      requestedBy: 'oncall',
      policyVersion: '1.0.0',
      openedAt: at,
      dueAt: '2031-05-06T09:00:00.000Z',
    },
  },
  {
    type: 'RetrospectiveReviewOverdue',
    data: {
      workloadId: 'W-1',
      releaseId: 'R-1',
      dueAt: '2031-05-06T09:00:00.000Z',
      detectedAt: '2031-05-07T09:00:00.000Z',
    },
  },
];

describe('reviews read model', () => {
  it('folds a change review and a retrospective review into one row each', () => {
    const tables = projectEvents(
      reviewProjection,
      events.map((event, i) => ({ event, streamVersion: i + 1 })),
    );
    expect(tables.compliance_reviews).toEqual([
      expect.objectContaining({
        workloadId: 'W-1',
        kind: 'change',
        status: 'Approved',
        signOffs: [{ signer: 'bob', role: 'approver', signedAt: at }],
        lastDeployment: expect.objectContaining({
          allowed: false,
          rule: 'sod-approver-cannot-deploy',
        }),
      }),
      expect.objectContaining({ workloadId: 'W-1', kind: 'retrospective', status: 'Overdue' }),
    ]);
  });
});
