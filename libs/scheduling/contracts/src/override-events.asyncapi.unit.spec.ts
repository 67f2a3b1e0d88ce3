import type { FreezeOverrideEvent } from '@trainyard/scheduling-domain';
import { asyncApiContract } from '@trainyard/testing';
import {
  OVERRIDE_INTEGRATION_EVENTS,
  overrideIntegrationEventOf,
} from './override-integration.mapping';

// The override events' part of the AsyncAPI contract: every event the mapping publishes must
// validate against its schema (no missing, no extra field), and every catalogued type has one.
const contract = asyncApiContract('scheduling.asyncapi.yaml');

const scope = { teams: ['storefront'], environments: ['prod'], components: ['checkout'] };
const at = '2031-05-04T09:00:00.000Z';
const history: FreezeOverrideEvent[] = [
  {
    type: 'FreezeOverrideRequested',
    data: {
      overrideId: 'O-1',
      freezeId: 'F-1',
      scope,
      from: at,
      to: at,
      reason: 'r',
      requestedBy: 'rita',
      requestedAt: at,
      requiredApprovals: 2,
      approvalRule: 'default',
      reviewDueHours: 120,
      policyVersion: 'p',
    },
  },
  {
    type: 'FreezeOverrideApproved',
    data: {
      overrideId: 'O-1',
      approvedBy: 'bob',
      approvedAt: at,
      approvalCount: 1,
      requiredApprovals: 2,
    },
  },
  {
    type: 'FreezeOverrideActivated',
    data: {
      overrideId: 'O-1',
      freezeId: 'F-1',
      scope: { ...scope, trains: [] },
      from: at,
      to: at,
      activatedAt: at,
      approvers: ['bob', 'carol'],
    },
  },
  {
    type: 'FreezeOverrideRejected',
    data: { overrideId: 'O-1', rejectedBy: 'bob', rejectedAt: at, reason: 'no' },
  },
  {
    type: 'FreezeOverrideRevoked',
    data: { overrideId: 'O-1', revokedBy: 'bob', revokedAt: at, reason: 'no', wasActive: true },
  },
  {
    type: 'FreezeOverrideUsed',
    data: {
      overrideId: 'O-1',
      freezeId: 'F-1',
      deploymentId: 'D-1',
      start: at,
      end: at,
      scope,
      usedBy: 'placement',
      recordedAt: at,
    },
  },
  {
    type: 'FreezeOverrideExpired',
    data: { overrideId: 'O-1', expiredAt: at, recordedAt: at, wasActive: false },
  },
  {
    type: 'OverrideReviewOpened',
    data: {
      overrideId: 'O-1',
      freezeId: 'F-1',
      requestedBy: 'rita',
      trigger: 'expired',
      openedAt: at,
      dueAt: at,
      useCount: 0,
    },
  },
  {
    type: 'OverrideReviewClosed',
    data: {
      overrideId: 'O-1',
      outcome: 'action-required',
      notes: 'n',
      closedBy: 'audrey',
      closedAt: at,
      late: true,
    },
  },
];

describe('override events in the AsyncAPI contract', () => {
  it('documents a message and a schema for every catalogued type', () => {
    expect(contract.undocumented(OVERRIDE_INTEGRATION_EVENTS)).toEqual([]);
  });

  it.each(history.map((event) => [event.type, event] as const))(
    '%s as published validates against its schema',
    (type, event) => {
      const published = overrideIntegrationEventOf(event);
      expect(contract.payloadProblems(type, published?.dataschema, published?.data)).toEqual([]);
    },
  );

  it('is told apart from a payload that drifted (so the checks above can fail)', () => {
    expect(
      contract.schemaNamed('FreezeOverrideUsed.v1').safeParse({ overrideId: 'O-1', extra: true })
        .success,
    ).toBe(false);
  });
});
