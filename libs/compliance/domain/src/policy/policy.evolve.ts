import type { PolicyEvent } from './policy.events';
import type { Policy, PolicyVersion } from './policy.state';

const withVersion = (
  state: Policy,
  version: string,
  change: (v: PolicyVersion) => PolicyVersion,
): readonly PolicyVersion[] =>
  state.status === 'Unproposed'
    ? []
    : state.versions.map((v) => (v.version === version ? change(v) : v));

export const evolvePolicy = (state: Policy, event: PolicyEvent): Policy => {
  switch (event.type) {
    case 'PolicyBundleProposed': {
      const d = event.data;
      const proposed: PolicyVersion = {
        version: d.version,
        title: d.title,
        rules: d.rules,
        status: 'Proposed',
        proposedBy: d.proposedBy,
      };
      if (state.status === 'Unproposed')
        return { status: 'Draft', policyId: d.policyId, versions: [proposed] };
      return { ...state, versions: [...state.versions, proposed] };
    }
    case 'PolicyBundleApproved':
      if (state.status === 'Unproposed') return state;
      return {
        ...state,
        status: 'Active',
        activeVersion: event.data.version,
        versions: withVersion(state, event.data.version, (v) => ({
          ...v,
          status: 'Approved',
          approvedBy: event.data.approvedBy,
        })),
      };
    case 'PolicyBundleRejected':
      if (state.status === 'Unproposed') return state;
      return {
        ...state,
        versions: withVersion(state, event.data.version, (v) => ({ ...v, status: 'Rejected' })),
      };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
};
