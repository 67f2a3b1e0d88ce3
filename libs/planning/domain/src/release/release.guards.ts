import type { PlanningPolicy } from '../policy/planning-policy';
import { DEFAULT_PLANNING_POLICY } from '../policy/planning-policy';
import {
  type CommandMetadata,
  assertNonEmpty,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import type { ScopeException } from './release.commands';
import type { Workload } from '../workload/workload.state';
import type { Release } from './release.state';

// The checks that several release commands share, and the context they are decided in.

export interface ReleaseDecisionContext {
  readonly policy: PlanningPolicy;
  /**
   * The workload a scope exception or an emergency patch is about, as its stream stands: its
   * profile supplies the defaults, and the release refuses what the workload would refuse as a
   * consequence (e.g. planned in another release), before anything is written.
   */
  readonly workload?: Workload;
}

export const DEFAULT_CONTEXT: ReleaseDecisionContext = { policy: DEFAULT_PLANNING_POLICY };

type Known = Exclude<Release, { status: 'Unplanned' }>;

export const known = (state: Release, releaseId: string): Known => {
  if (state.status === 'Unplanned') throw new NotFoundError('release', releaseId);
  if (state.releaseId !== releaseId)
    throw new ValidationError(
      'releaseId',
      `command for ${releaseId} sent to release ${state.releaseId}`,
    );
  return state;
};

export const closed = (state: Known): RuleViolation =>
  new RuleViolation('release-open', `release ${state.releaseId} is ${state.status.toLowerCase()}`);

/** The independent-approver rule: with it on, nobody approves what they asked for themselves. */
export const approvesOwnRequest = (
  approver: string,
  metadata: CommandMetadata,
  policy: PlanningPolicy,
): boolean => policy.governance.requireIndependentApprover && approver === metadata.actor;

/** Only a release in planning is allocated (previewed or committed); the same rule id as every other closed-state refusal. */
export const allocatableRelease = (
  state: Release,
  releaseId: string,
): Extract<Release, { status: 'Planning' }> => {
  const current = known(state, releaseId);
  if (current.status !== 'Planning') throw closed(current);
  return current;
};

/** The workload a scope exception names must exist; an unknown one is NOT_FOUND. */
export const registeredWorkload = (context: ReleaseDecisionContext, workloadId: string): void => {
  if (context.workload?.status === 'Unregistered') throw new NotFoundError('workload', workloadId);
};

/** An approved exception; with the independent-approver rule, nobody approves their own request. */
export const assertException = (
  exception: ScopeException | undefined,
  metadata: CommandMetadata,
  policy: PlanningPolicy,
  workloadId: string,
): ScopeException => {
  if (!exception)
    throw new RuleViolation(
      'scope-change-requires-exception',
      `scope is committed: changing ${workloadId} needs an exception with reason and approver`,
    );
  // Named as the request names them: the exception's reason and approver are top-level fields.
  assertNonEmpty('reason', exception.reason);
  assertNonEmpty('approver', exception.approver);
  if (approvesOwnRequest(exception.approver, metadata, policy))
    throw new RuleViolation(
      'independent-approver',
      `${metadata.actor} cannot approve their own scope exception`,
    );
  return exception;
};
