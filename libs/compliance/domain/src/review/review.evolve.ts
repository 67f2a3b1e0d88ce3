import type { ReviewEvent } from './review.events';
import type { Review } from './review.state';

export const evolveReview = (state: Review, event: ReviewEvent): Review => {
  switch (event.type) {
    case 'ChangeReviewOpened': {
      const d = event.data;
      return {
        ...state,
        workloadId: d.workloadId,
        change: {
          status: 'Open',
          title: d.title,
          author: d.author,
          dataClasses: d.dataClasses,
          policyVersion: d.policyVersion,
          requiredSignOffs: d.requiredSignOffs,
          allowedRoles: d.allowedRoles,
          signOffs: [],
        },
      };
    }
    case 'ChangeSignedOff':
      if (!state.change) return state;
      return {
        ...state,
        change: {
          ...state.change,
          signOffs: [
            ...state.change.signOffs,
            { signer: event.data.signer, role: event.data.role, signedAt: event.data.signedAt },
          ],
        },
      };
    case 'ChangeReviewApproved':
      if (!state.change) return state;
      return { ...state, change: { ...state.change, status: 'Approved' } };
    case 'DeploymentAuthorised':
    case 'DeploymentRefused':
      return { ...state, workloadId: state.workloadId ?? event.data.workloadId };
    case 'RetrospectiveReviewOpened':
      return {
        ...state,
        workloadId: event.data.workloadId,
        retrospective: {
          status: 'Open',
          releaseId: event.data.releaseId,
          requestedBy: event.data.requestedBy,
          dueAt: event.data.dueAt,
        },
      };
    case 'RetrospectiveReviewClosed':
      if (!state.retrospective) return state;
      return {
        ...state,
        retrospective: { ...state.retrospective, status: 'Closed', findings: event.data.findings },
      };
    case 'RetrospectiveReviewOverdue':
      if (!state.retrospective) return state;
      return { ...state, retrospective: { ...state.retrospective, status: 'Overdue' } };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};
