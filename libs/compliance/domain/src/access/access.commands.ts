import type { Command } from '@trainyard/kernel';
import type { AccessRole } from './access-role';

/** Define or redefine a role. `changeId` names the proposal when the role is privileged. */
export type PutRole = Command<'PutRole', { readonly role: AccessRole; readonly changeId: string }>;
/** Grant a role to a subject on top of its token's roles. */
export type GrantRole = Command<
  'GrantRole',
  { readonly subject: string; readonly role: string; readonly changeId: string }
>;
/** Withdraw a granted role; never needs a second person (it only narrows access). */
export type RevokeRole = Command<'RevokeRole', { readonly subject: string; readonly role: string }>;
export type ApproveAccessChange = Command<'ApproveAccessChange', { readonly changeId: string }>;
export type RejectAccessChange = Command<'RejectAccessChange', { readonly changeId: string }>;

export type AccessCommand =
  PutRole | GrantRole | RevokeRole | ApproveAccessChange | RejectAccessChange;
