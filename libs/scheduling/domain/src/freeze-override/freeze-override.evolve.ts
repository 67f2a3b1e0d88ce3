import type { FreezeOverrideEvent } from './freeze-override.events';
import type { FreezeOverride } from './freeze-override.state';

export const evolveFreezeOverride = (
  state: FreezeOverride,
  event: FreezeOverrideEvent,
): FreezeOverride => {
  if (event.type === 'FreezeOverrideRequested') {
    const d = event.data;
    return {
      status: 'Requested',
      overrideId: d.overrideId,
      freezeId: d.freezeId,
      scope: d.scope,
      from: d.from,
      to: d.to,
      reason: d.reason,
      requestedBy: d.requestedBy,
      requestedAt: d.requestedAt,
      requiredApprovals: d.requiredApprovals,
      approvalRule: d.approvalRule,
      reviewDueHours: d.reviewDueHours,
      policyVersion: d.policyVersion,
      approvals: [],
      uses: [],
    };
  }
  if (state.status === 'None') return state;
  switch (event.type) {
    case 'FreezeOverrideApproved':
      return {
        ...state,
        approvals: [
          ...state.approvals,
          { approvedBy: event.data.approvedBy, approvedAt: event.data.approvedAt },
        ],
      };
    case 'FreezeOverrideActivated':
      return { ...state, status: 'Active', activatedAt: event.data.activatedAt };
    case 'FreezeOverrideRejected':
      return { ...state, status: 'Rejected' };
    case 'FreezeOverrideRevoked':
      return { ...state, status: 'Revoked', revokedAt: event.data.revokedAt };
    case 'FreezeOverrideUsed': {
      const { deploymentId, start, end, scope } = event.data;
      return { ...state, uses: [...state.uses, { deploymentId, start, end, scope }] };
    }
    case 'FreezeOverrideExpired':
      return { ...state, status: 'Expired' };
    case 'OverrideReviewOpened':
      return {
        ...state,
        review: {
          status: 'open',
          trigger: event.data.trigger,
          openedAt: event.data.openedAt,
          dueAt: event.data.dueAt,
        },
      };
    case 'OverrideReviewClosed':
      if (!state.review) return state;
      return {
        ...state,
        review: {
          ...state.review,
          status: 'closed',
          outcome: event.data.outcome,
          notes: event.data.notes,
          closedBy: event.data.closedBy,
          closedAt: event.data.closedAt,
        },
      };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};
