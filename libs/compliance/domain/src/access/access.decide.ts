import { assertMetadata, NotFoundError, RuleViolation } from '@trainyard/kernel';
import {
  assertChangeId,
  assertRoleName,
  assertAccessSubject,
  normaliseRole,
  sameRole,
} from './access-role';
import type {
  AccessCommand,
  ApproveAccessChange,
  GrantRole,
  PutRole,
  RejectAccessChange,
  RevokeRole,
} from './access.commands';
import type { AccessChange, AccessEvent } from './access.events';
import {
  decisionOf,
  grantsOf,
  pendingChange,
  roleInForce,
  type AccessContext,
  type AccessModelState,
  type PendingAccessChange,
} from './access.state';

/** Rule ids of access administration: stable API. */
export const ACCESS_FOUR_EYES_RULE = 'access-four-eyes';
export const ACCESS_SELF_GRANT_RULE = 'access-self-grant';
export const ACCESS_CHANGE_PENDING_RULE = 'access-change-pending';
export const ACCESS_CHANGE_DECIDED_RULE = 'access-change-decided';

const sameChange = (a: AccessChange, b: AccessChange): boolean =>
  a.kind === 'PutRole' && b.kind === 'PutRole'
    ? sameRole(a.role, b.role)
    : a.kind === 'GrantRole' && b.kind === 'GrantRole'
      ? a.subject === b.subject && a.role === b.role
      : false;

const targetOf = (change: AccessChange): string =>
  change.kind === 'PutRole'
    ? `role ${change.role.name}`
    : `grant of ${change.role} to ${change.subject}`;

/** `[]` when the same change is pending already (a retry); a refusal when another one is. */
const proposal = (
  state: AccessModelState,
  changeId: string,
  change: AccessChange,
  metadata: PutRole['metadata'],
): AccessEvent[] => {
  const pending = Object.values(state.pending).filter(
    (p) => targetOf(p.change) === targetOf(change),
  );
  if (pending.some((p) => sameChange(p.change, change))) return [];
  const other = pending[0];
  if (other)
    throw new RuleViolation(
      ACCESS_CHANGE_PENDING_RULE,
      `Change ${other.changeId} to the ${targetOf(change)} awaits approval; approve or reject it first.`,
    );
  if (pendingChange(state, changeId) || decisionOf(state, changeId))
    throw new RuleViolation(ACCESS_CHANGE_PENDING_RULE, `Change id ${changeId} is taken.`);
  return [
    {
      type: 'AccessChangeProposed',
      data: {
        changeId,
        change,
        proposedBy: metadata.actor,
        ...(metadata.reason ? { reason: metadata.reason } : {}),
        proposedAt: metadata.now,
      },
    },
  ];
};

export const putRole = (
  command: PutRole,
  state: AccessModelState,
  context: AccessContext,
): AccessEvent[] => {
  assertMetadata(command.metadata);
  const role = normaliseRole(command.data.role);
  const changeId = assertChangeId(command.data.changeId);
  const previous = roleInForce(state, context, role.name);
  if (previous && sameRole(previous, role)) return [];
  // Four-eyes whenever privilege is involved: redefining a privileged role, or making one.
  if (previous?.privileged || role.privileged)
    return proposal(state, changeId, { kind: 'PutRole', role }, command.metadata);
  return [
    {
      type: 'AccessRolePut',
      data: {
        role,
        ...(previous ? { previous } : {}),
        changedBy: command.metadata.actor,
        modelVersion: state.version + 1,
        changedAt: command.metadata.now,
      },
    },
  ];
};

export const grantRole = (
  command: GrantRole,
  state: AccessModelState,
  context: AccessContext,
): AccessEvent[] => {
  assertMetadata(command.metadata);
  const subject = assertAccessSubject(command.data.subject);
  const name = assertRoleName(command.data.role, 'role');
  const changeId = assertChangeId(command.data.changeId);
  const role = roleInForce(state, context, name);
  if (!role) throw new NotFoundError('role', name, `Role ${name} is not defined.`);
  if (grantsOf(state, subject).includes(name)) return [];
  if (role.privileged)
    return proposal(state, changeId, { kind: 'GrantRole', subject, role: name }, command.metadata);
  return [
    {
      type: 'AccessRoleGranted',
      data: {
        subject,
        role: name,
        grantedBy: command.metadata.actor,
        modelVersion: state.version + 1,
        grantedAt: command.metadata.now,
      },
    },
  ];
};

export const revokeRole = (command: RevokeRole, state: AccessModelState): AccessEvent[] => {
  assertMetadata(command.metadata);
  const subject = assertAccessSubject(command.data.subject);
  const name = assertRoleName(command.data.role, 'role');
  if (!grantsOf(state, subject).includes(name)) return [];
  return [
    {
      type: 'AccessRoleRevoked',
      data: {
        subject,
        role: name,
        revokedBy: command.metadata.actor,
        modelVersion: state.version + 1,
        revokedAt: command.metadata.now,
      },
    },
  ];
};

const pendingOf = (state: AccessModelState, changeId: string): PendingAccessChange | undefined => {
  const pending = pendingChange(state, changeId);
  if (pending) return pending;
  if (!decisionOf(state, changeId))
    throw new NotFoundError('access change', changeId, `Access change ${changeId} does not exist.`);
  return undefined;
};

export const approveAccessChange = (
  command: ApproveAccessChange,
  state: AccessModelState,
  context: AccessContext,
): AccessEvent[] => {
  assertMetadata(command.metadata);
  const changeId = assertChangeId(command.data.changeId);
  const pending = pendingOf(state, changeId);
  if (!pending) {
    if (decisionOf(state, changeId) === 'Approved') return [];
    throw new RuleViolation(ACCESS_CHANGE_DECIDED_RULE, `Access change ${changeId} was rejected.`);
  }
  const { actor, now } = command.metadata;
  if (pending.proposedBy === actor)
    throw new RuleViolation(
      ACCESS_FOUR_EYES_RULE,
      `Access change ${changeId} was proposed by ${actor}; someone else must approve it.`,
    );
  const { change } = pending;
  if (change.kind === 'GrantRole' && change.subject === actor)
    throw new RuleViolation(
      ACCESS_SELF_GRANT_RULE,
      `Access change ${changeId} grants ${change.role} to ${actor}, who may not approve their own privilege.`,
    );
  const approved: AccessEvent = {
    type: 'AccessChangeApproved',
    data: { changeId, proposedBy: pending.proposedBy, approvedBy: actor, approvedAt: now },
  };
  const applied = { approvedBy: actor, changeId, modelVersion: state.version + 1 };
  if (change.kind === 'PutRole') {
    const previous = roleInForce(state, context, change.role.name);
    if (previous && sameRole(previous, change.role)) return [approved];
    return [
      approved,
      {
        type: 'AccessRolePut',
        data: {
          role: change.role,
          ...(previous ? { previous } : {}),
          changedBy: pending.proposedBy,
          ...applied,
          changedAt: now,
        },
      },
    ];
  }
  if (grantsOf(state, change.subject).includes(change.role)) return [approved];
  return [
    approved,
    {
      type: 'AccessRoleGranted',
      data: {
        subject: change.subject,
        role: change.role,
        grantedBy: pending.proposedBy,
        ...applied,
        grantedAt: now,
      },
    },
  ];
};

export const rejectAccessChange = (
  command: RejectAccessChange,
  state: AccessModelState,
): AccessEvent[] => {
  assertMetadata(command.metadata);
  const changeId = assertChangeId(command.data.changeId);
  const pending = pendingOf(state, changeId);
  if (!pending) {
    if (decisionOf(state, changeId) === 'Rejected') return [];
    throw new RuleViolation(
      ACCESS_CHANGE_DECIDED_RULE,
      `Access change ${changeId} was approved already.`,
    );
  }
  return [
    {
      type: 'AccessChangeRejected',
      data: {
        changeId,
        rejectedBy: command.metadata.actor,
        ...(command.metadata.reason ? { reason: command.metadata.reason } : {}),
        rejectedAt: command.metadata.now,
      },
    },
  ];
};

export const decideAccess = (
  command: AccessCommand,
  state: AccessModelState,
  context: AccessContext,
): AccessEvent[] => {
  switch (command.type) {
    case 'PutRole':
      return putRole(command, state, context);
    case 'GrantRole':
      return grantRole(command, state, context);
    case 'RevokeRole':
      return revokeRole(command, state);
    case 'ApproveAccessChange':
      return approveAccessChange(command, state, context);
    case 'RejectAccessChange':
      return rejectAccessChange(command, state);
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
};
