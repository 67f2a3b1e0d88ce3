import type { DomainEvent } from '@trainyard/kernel';
import type { AccessRole } from './access-role';

/** A proposed change to a privileged role, or a grant of one, awaiting a second person. */
export type AccessChange =
  | { readonly kind: 'PutRole'; readonly role: AccessRole }
  | { readonly kind: 'GrantRole'; readonly subject: string; readonly role: string };

/** A role was defined or redefined; the model's version after it is `modelVersion`. */
export type AccessRolePut = DomainEvent<
  'AccessRolePut',
  {
    readonly role: AccessRole;
    /** The role's definition before (built-in or administered); absent for a new role. */
    readonly previous?: AccessRole;
    readonly changedBy: string;
    /** Set when the change was proposed and approved (a privileged role). */
    readonly approvedBy?: string;
    readonly changeId?: string;
    readonly modelVersion: number;
    readonly changedAt: string;
  }
>;

export type AccessRoleGranted = DomainEvent<
  'AccessRoleGranted',
  {
    readonly subject: string;
    readonly role: string;
    readonly grantedBy: string;
    readonly approvedBy?: string;
    readonly changeId?: string;
    readonly modelVersion: number;
    readonly grantedAt: string;
  }
>;

export type AccessRoleRevoked = DomainEvent<
  'AccessRoleRevoked',
  {
    readonly subject: string;
    readonly role: string;
    readonly revokedBy: string;
    readonly modelVersion: number;
    readonly revokedAt: string;
  }
>;

export type AccessChangeProposed = DomainEvent<
  'AccessChangeProposed',
  {
    readonly changeId: string;
    readonly change: AccessChange;
    readonly proposedBy: string;
    readonly reason?: string;
    readonly proposedAt: string;
  }
>;

export type AccessChangeApproved = DomainEvent<
  'AccessChangeApproved',
  {
    readonly changeId: string;
    readonly proposedBy: string;
    readonly approvedBy: string;
    readonly approvedAt: string;
  }
>;

export type AccessChangeRejected = DomainEvent<
  'AccessChangeRejected',
  {
    readonly changeId: string;
    readonly rejectedBy: string;
    readonly reason?: string;
    readonly rejectedAt: string;
  }
>;

export type AccessEvent =
  | AccessRolePut
  | AccessRoleGranted
  | AccessRoleRevoked
  | AccessChangeProposed
  | AccessChangeApproved
  | AccessChangeRejected;

export const ACCESS_EVENT_TYPES: readonly AccessEvent['type'][] = [
  'AccessRolePut',
  'AccessRoleGranted',
  'AccessRoleRevoked',
  'AccessChangeProposed',
  'AccessChangeApproved',
  'AccessChangeRejected',
];
