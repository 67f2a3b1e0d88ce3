import type { ParsedCloudEvent } from '@trainyard/messaging';
import type {
  AccessChangeProposedV1,
  AccessRoleGrantedV1,
  AccessRolePutV1,
  ComplianceFindingRaisedV1,
} from '@trainyard/compliance-contracts';
import { ledgerFactsOf } from './ledger-links';

// Access administration and sampling in the audit ledger: who changed what, for whom, and which
// release and workload a finding concerns.
const event = (eventType: string, data: unknown): ParsedCloudEvent => ({
  specversion: '1.0',
  id: 'e-1',
  source: '/trainyard/compliance',
  type: `dev.trainyard.compliance.${eventType}.v1`,
  eventType,
  schemaVersion: 1,
  data,
  key: 'access-model-default',
  extensions: {},
  actor: 'someone-else',
});
const at = '2031-05-04T09:00:00.000Z';

describe('ledger facts of access administration and sampling events', () => {
  it('a role change is the changer’s, linked to the role', () => {
    const data: AccessRolePutV1 = {
      role: { name: 'viewer', description: '', privileged: false, permissions: [] },
      changedBy: 'sam',
      modelVersion: 1,
      changedAt: at,
    };
    expect(ledgerFactsOf(event('AccessRolePut', data))).toMatchObject({
      sourceService: 'compliance',
      actor: 'sam',
      links: [{ kind: 'role', id: 'viewer' }],
      trailKind: 'other',
    });
  });

  it('a grant is linked to the role and the principal, and its approval is an approval', () => {
    const data: AccessRoleGrantedV1 = {
      subject: 'dana',
      role: 'compliance-officer',
      grantedBy: 'sam',
      approvedBy: 'pat',
      changeId: 'c-1',
      modelVersion: 2,
      grantedAt: at,
    };
    expect(ledgerFactsOf(event('AccessRoleGranted', data))).toMatchObject({
      actor: 'sam',
      links: [
        { kind: 'change', id: 'c-1' },
        { kind: 'principal', id: 'dana' },
        { kind: 'role', id: 'compliance-officer' },
      ],
    });
    const proposal: AccessChangeProposedV1 = {
      changeId: 'c-1',
      kind: 'GrantRole',
      subject: 'dana',
      roleName: 'compliance-officer',
      proposedBy: 'sam',
      proposedAt: at,
    };
    expect(ledgerFactsOf(event('AccessChangeProposed', proposal)).links).toEqual([
      { kind: 'change', id: 'c-1' },
      { kind: 'principal', id: 'dana' },
      { kind: 'role', id: 'compliance-officer' },
    ]);
    expect(ledgerFactsOf(event('AccessChangeApproved', { changeId: 'c-1' })).trailKind).toBe(
      'approval',
    );
  });

  it("a finding joins its release's and workload's trails", () => {
    const data: ComplianceFindingRaisedV1 = {
      sampleId: 's-1',
      releaseId: 'R-1',
      rule: 'regulated-signed-off',
      rulesVersion: '2',
      workloadId: 'W-1',
      message: 'no sign-off',
      evidence: {},
      raisedAt: at,
    };
    expect(ledgerFactsOf(event('ComplianceFindingRaised', data)).links).toEqual([
      { kind: 'release', id: 'R-1' },
      { kind: 'sample', id: 's-1' },
      { kind: 'workload', id: 'W-1' },
    ]);
  });
});
