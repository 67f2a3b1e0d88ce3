import type { AccessEvent } from './access.events';
import { grantsOf, type AccessModelState } from './access.state';

const without = <T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> => {
  const copy = { ...record };
  delete copy[key];
  return copy;
};

export const evolveAccess = (state: AccessModelState, event: AccessEvent): AccessModelState => {
  switch (event.type) {
    case 'AccessRolePut':
      return {
        ...state,
        version: event.data.modelVersion,
        roles: { ...state.roles, [event.data.role.name]: event.data.role },
      };
    case 'AccessRoleGranted': {
      const held = grantsOf(state, event.data.subject);
      return {
        ...state,
        version: event.data.modelVersion,
        grants: {
          ...state.grants,
          [event.data.subject]: [...new Set([...held, event.data.role])].sort(),
        },
      };
    }
    case 'AccessRoleRevoked': {
      const held = grantsOf(state, event.data.subject).filter((r) => r !== event.data.role);
      return {
        ...state,
        version: event.data.modelVersion,
        grants:
          held.length > 0
            ? { ...state.grants, [event.data.subject]: held }
            : without(state.grants, event.data.subject),
      };
    }
    case 'AccessChangeProposed':
      return {
        ...state,
        pending: {
          ...state.pending,
          [event.data.changeId]: {
            changeId: event.data.changeId,
            change: event.data.change,
            proposedBy: event.data.proposedBy,
            proposedAt: event.data.proposedAt,
            ...(event.data.reason ? { reason: event.data.reason } : {}),
          },
        },
      };
    case 'AccessChangeApproved':
      return {
        ...state,
        pending: without(state.pending, event.data.changeId),
        decided: { ...state.decided, [event.data.changeId]: 'Approved' },
      };
    case 'AccessChangeRejected':
      return {
        ...state,
        pending: without(state.pending, event.data.changeId),
        decided: { ...state.decided, [event.data.changeId]: 'Rejected' },
      };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};
