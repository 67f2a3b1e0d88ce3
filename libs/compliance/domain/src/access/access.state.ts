import { ownValue } from '@trainyard/kernel';
import type { AccessRole } from './access-role';
import type { AccessChange } from './access.events';

export interface PendingAccessChange {
  readonly changeId: string;
  readonly change: AccessChange;
  readonly proposedBy: string;
  readonly proposedAt: string;
  readonly reason?: string;
}

/**
 * The access model: one aggregate (stream `access-model-default`), since a privileged role's
 * four-eyes rule and the model's version span every role and grant.
 */
export interface AccessModelState {
  readonly status: 'Active';
  /** Applied changes so far; the version guards compare. */
  readonly version: number;
  /** Roles administered here (they replace a built-in role of the same name). */
  readonly roles: Readonly<Record<string, AccessRole>>;
  /** Subject → granted role names, sorted. */
  readonly grants: Readonly<Record<string, readonly string[]>>;
  readonly pending: Readonly<Record<string, PendingAccessChange>>;
  /** Decided proposals: a retried approval answers nothing-to-do, a late one is refused. */
  readonly decided: Readonly<Record<string, 'Approved' | 'Rejected'>>;
}

export const initialAccessModel = (): AccessModelState => ({
  status: 'Active',
  version: 0,
  roles: {},
  grants: {},
  pending: {},
  decided: {},
});

/** What the decider is configured with: the built-in roles (platform's ROLE_PERMISSIONS). */
export interface AccessContext {
  readonly builtIn: readonly AccessRole[];
}

/** A role's definition in force: administered, else built-in, else none. */
export const roleInForce = (
  state: AccessModelState,
  context: AccessContext,
  name: string,
): AccessRole | undefined =>
  ownValue(state.roles, name) ?? context.builtIn.find((r) => r.name === name);

/**
 * The roles granted to a subject. Own keys only: a subject named like an Object.prototype member
 * (`valueOf`, `constructor`) has no grants until given some.
 */
export const grantsOf = (state: AccessModelState, subject: string): readonly string[] =>
  ownValue(state.grants, subject) ?? [];

/** A change awaiting approval, by id (own keys only, as for subjects: `toString` is just an id). */
export const pendingChange = (
  state: AccessModelState,
  changeId: string,
): PendingAccessChange | undefined => ownValue(state.pending, changeId);

/** How a change was decided, by id; undefined while pending or unknown (own keys only). */
export const decisionOf = (
  state: AccessModelState,
  changeId: string,
): 'Approved' | 'Rejected' | undefined => ownValue(state.decided, changeId);
