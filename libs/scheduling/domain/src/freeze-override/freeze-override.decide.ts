import {
  AlreadyExistsError,
  NotFoundError,
  RuleViolation,
  ValidationError,
  assertMetadata,
  assertNonEmpty,
} from '@trainyard/kernel';
import type { CalendarScope } from '../calendar/calendar-entry';
import {
  DEFAULT_OVERRIDE_POLICY,
  requiredApprovals,
  type OverridePolicy,
} from '../policy/override-policy';
import {
  OVERRIDE_REVIEW_OUTCOMES,
  type ApproveFreezeOverride,
  type CloseOverrideReview,
  type ExpireFreezeOverride,
  type FreezeOverrideCommand,
  type RecordFreezeOverrideUse,
  type RejectFreezeOverride,
  type RequestFreezeOverride,
  type RevokeFreezeOverride,
} from './freeze-override.commands';
import type { FreezeOverrideEvent } from './freeze-override.events';
import type { FreezeOverride, TrackedOverride } from './freeze-override.state';
import { overrideWindow, parseRfc3339, scopeWithin, utcInstant } from './override-terms';

/** Stable rule ids (API: clients branch on them). */
export const OVERRIDE_RULES = {
  selfApproval: 'override-self-approval',
  maxLength: 'override-max-length',
  endsInPast: 'override-ends-in-past',
  expired: 'override-expired',
  notPending: 'override-not-pending',
  closed: 'override-closed',
  notActive: 'override-not-active',
  useOutsideInterval: 'override-use-outside-interval',
  useOutsideScope: 'override-use-outside-scope',
  notYetEnded: 'override-not-yet-ended',
  reviewNotOpen: 'override-review-not-open',
  reviewIndependent: 'override-review-independent',
} as const;

export interface FreezeOverrideDecisionContext {
  readonly policy: OverridePolicy;
  /**
   * Whether `freezeId` names a freeze the calendar knows, looked up by the adapter for a request;
   * undefined: not checked (the calendar's read model is not wired in yet).
   */
  readonly freezeKnown?: boolean;
}

const DEFAULT_CONTEXT: FreezeOverrideDecisionContext = { policy: DEFAULT_OVERRIDE_POLICY };
const HOUR_MS = 3_600_000;
const SCOPE_DIMENSIONS = ['trains', 'teams', 'environments', 'components'] as const;
const MAX_SCOPE_VALUES = 100;

type Tracked = Exclude<FreezeOverride, { status: 'None' }>;

const tracked = (state: FreezeOverride, overrideId: string): Tracked => {
  assertNonEmpty('overrideId', overrideId);
  if (state.status === 'None') throw new NotFoundError('freeze override', overrideId);
  if (state.overrideId !== overrideId)
    throw new ValidationError(
      'overrideId',
      `command for ${overrideId} sent to freeze override ${state.overrideId}`,
    );
  return state;
};

/** A scope as given, validated: lists of distinct non-empty names, absent lists left out. */
export const assertScope = (field: string, scope: CalendarScope | undefined): CalendarScope => {
  if (scope === null || typeof scope !== 'object' || Array.isArray(scope))
    throw new ValidationError(field, `${field} is required`);
  const result: Record<string, readonly string[]> = {};
  for (const dimension of SCOPE_DIMENSIONS) {
    const values: unknown = scope[dimension];
    if (values === undefined) continue;
    if (!Array.isArray(values))
      throw new ValidationError(`${field}.${dimension}`, `${field}.${dimension} must be a list`);
    if (values.length > MAX_SCOPE_VALUES)
      throw new ValidationError(
        `${field}.${dimension}`,
        `${field}.${dimension} may name at most ${MAX_SCOPE_VALUES} values`,
      );
    const seen = new Set<string>();
    values.forEach((value: unknown, i) => {
      const name = assertNonEmpty(`${field}.${dimension}[${i}]`, value);
      if (seen.has(name))
        throw new ValidationError(
          `${field}.${dimension}[${i}]`,
          `${name} is listed twice in ${field}.${dimension}`,
        );
      seen.add(name);
    });
    if (values.length > 0) result[dimension] = [...seen];
  }
  return result;
};

const sameScope = (a: CalendarScope, b: CalendarScope): boolean =>
  SCOPE_DIMENSIONS.every(
    (d) => JSON.stringify([...(a[d] ?? [])].sort()) === JSON.stringify([...(b[d] ?? [])].sort()),
  );

const nowMs = (metadata: { readonly now: string }): number => Date.parse(metadata.now);

/** Approving or rejecting is refused once the override is over; a retry of the same is not. */
const assertNotOver = (state: Tracked, now: number): void => {
  if (state.status === 'Rejected' || state.status === 'Revoked')
    throw new RuleViolation(
      OVERRIDE_RULES.closed,
      `freeze override ${state.overrideId} was ${state.status.toLowerCase()}`,
    );
  if (state.status === 'Expired' || now >= Date.parse(state.to))
    throw new RuleViolation(
      OVERRIDE_RULES.expired,
      `freeze override ${state.overrideId} ended at ${state.to}`,
    );
};

export const requestFreezeOverride = (
  command: RequestFreezeOverride,
  state: FreezeOverride,
  context: FreezeOverrideDecisionContext = DEFAULT_CONTEXT,
): FreezeOverrideEvent[] => {
  assertMetadata(command.metadata);
  const d = command.data;
  const overrideId = assertNonEmpty('overrideId', d.overrideId);
  const freezeId = assertNonEmpty('freezeId', d.freezeId);
  const scope = assertScope('scope', d.scope);
  if (SCOPE_DIMENSIONS.every((dimension) => scope[dimension] === undefined))
    throw new ValidationError(
      'scope',
      'scope must name at least one train, team, environment or component',
    );
  const fromMs = parseRfc3339('from', d.from);
  const toMs = parseRfc3339('to', d.to);
  if (toMs <= fromMs) throw new ValidationError('to', 'to must be after from');
  const reason = assertNonEmpty('reason', d.reason).trim();
  const from = utcInstant(fromMs);
  const to = utcInstant(toMs);
  const requestedBy = command.metadata.actor;
  if (state.status !== 'None') {
    const same =
      state.overrideId === overrideId &&
      state.freezeId === freezeId &&
      state.from === from &&
      state.to === to &&
      state.reason === reason &&
      state.requestedBy === requestedBy &&
      sameScope(state.scope, scope);
    if (same) return [];
    throw new AlreadyExistsError('freeze override', state.overrideId);
  }
  if (context.freezeKnown === false) throw new NotFoundError('freeze', freezeId);
  const { policy } = context;
  if (toMs - fromMs > policy.maxDurationHours * HOUR_MS)
    throw new RuleViolation(
      OVERRIDE_RULES.maxLength,
      `A freeze override may last at most ${policy.maxDurationHours} hours; this one lasts ${((toMs - fromMs) / HOUR_MS).toFixed(2)}.`,
    );
  if (toMs <= nowMs(command.metadata))
    throw new RuleViolation(
      OVERRIDE_RULES.endsInPast,
      `freeze override ${overrideId} would end at ${to}, which has passed`,
    );
  const required = requiredApprovals(scope, policy);
  return [
    {
      type: 'FreezeOverrideRequested',
      data: {
        overrideId,
        freezeId,
        scope,
        from,
        to,
        reason,
        requestedBy,
        requestedAt: command.metadata.now,
        requiredApprovals: required.approvals,
        approvalRule: required.ruleId,
        reviewDueHours: policy.reviewDueHours,
        policyVersion: policy.version,
      },
    },
  ];
};

export const approveFreezeOverride = (
  command: ApproveFreezeOverride,
  state: FreezeOverride,
): FreezeOverrideEvent[] => {
  assertMetadata(command.metadata);
  const current = tracked(state, command.data.overrideId);
  const approver = command.metadata.actor;
  const now = nowMs(command.metadata);
  // Four eyes: the requester's own approval never counts, whatever the caller's role (admins too).
  if (approver === current.requestedBy)
    throw new RuleViolation(
      OVERRIDE_RULES.selfApproval,
      `${approver} requested freeze override ${current.overrideId} and may not approve it`,
    );
  // The same approver twice is an idempotent retry: it changes nothing and counts once.
  if (current.approvals.some((a) => a.approvedBy === approver)) return [];
  assertNotOver(current, now);
  const approvalCount = current.approvals.length + 1;
  const approved: FreezeOverrideEvent = {
    type: 'FreezeOverrideApproved',
    data: {
      overrideId: current.overrideId,
      approvedBy: approver,
      approvedAt: command.metadata.now,
      approvalCount,
      requiredApprovals: current.requiredApprovals,
    },
  };
  if (current.status !== 'Requested' || approvalCount < current.requiredApprovals)
    return [approved];
  return [
    approved,
    {
      type: 'FreezeOverrideActivated',
      data: {
        overrideId: current.overrideId,
        freezeId: current.freezeId,
        scope: current.scope,
        from: current.from,
        to: current.to,
        activatedAt: command.metadata.now,
        approvers: [...current.approvals.map((a) => a.approvedBy), approver],
      },
    },
  ];
};

export const rejectFreezeOverride = (
  command: RejectFreezeOverride,
  state: FreezeOverride,
): FreezeOverrideEvent[] => {
  assertMetadata(command.metadata);
  const current = tracked(state, command.data.overrideId);
  if (current.status === 'Rejected') return [];
  assertNotOver(current, nowMs(command.metadata));
  if (current.status === 'Active')
    throw new RuleViolation(
      OVERRIDE_RULES.notPending,
      `freeze override ${current.overrideId} is already active; revoke it instead`,
    );
  const reason = assertNonEmpty('reason', command.metadata.reason).trim();
  return [
    {
      type: 'FreezeOverrideRejected',
      data: {
        overrideId: current.overrideId,
        rejectedBy: command.metadata.actor,
        rejectedAt: command.metadata.now,
        reason,
      },
    },
  ];
};

const reviewOpened = (
  current: TrackedOverride,
  trigger: 'expired' | 'revoked',
  endedMs: number,
  openedAt: string,
): FreezeOverrideEvent => ({
  type: 'OverrideReviewOpened',
  data: {
    overrideId: current.overrideId,
    freezeId: current.freezeId,
    requestedBy: current.requestedBy,
    trigger,
    openedAt,
    // Due from when the override ended, not from when the sweeper noticed.
    dueAt: utcInstant(endedMs + current.reviewDueHours * HOUR_MS),
    useCount: current.uses.length,
  },
});

export const revokeFreezeOverride = (
  command: RevokeFreezeOverride,
  state: FreezeOverride,
): FreezeOverrideEvent[] => {
  assertMetadata(command.metadata);
  const current = tracked(state, command.data.overrideId);
  if (current.status === 'Revoked') return [];
  assertNotOver(current, nowMs(command.metadata));
  const reason = assertNonEmpty('reason', command.metadata.reason).trim();
  const wasActive = current.status === 'Active';
  const revoked: FreezeOverrideEvent = {
    type: 'FreezeOverrideRevoked',
    data: {
      overrideId: current.overrideId,
      revokedBy: command.metadata.actor,
      revokedAt: command.metadata.now,
      reason,
      wasActive,
    },
  };
  if (!wasActive) return [revoked];
  return [revoked, reviewOpened(current, 'revoked', nowMs(command.metadata), command.metadata.now)];
};

export const recordFreezeOverrideUse = (
  command: RecordFreezeOverrideUse,
  state: FreezeOverride,
): FreezeOverrideEvent[] => {
  assertMetadata(command.metadata);
  const d = command.data;
  const deploymentId = assertNonEmpty('deploymentId', d.deploymentId);
  const startMs = parseRfc3339('start', d.start);
  const endMs = parseRfc3339('end', d.end);
  if (endMs <= startMs) throw new ValidationError('end', 'end must be after start');
  const scope = assertScope('scope', d.scope);
  const current = tracked(state, d.overrideId);
  const start = utcInstant(startMs);
  const end = utcInstant(endMs);
  if (
    current.uses.some((u) => u.deploymentId === deploymentId && u.start === start && u.end === end)
  )
    return [];
  const now = nowMs(command.metadata);
  if (current.status === 'Expired' || now >= Date.parse(current.to))
    throw new RuleViolation(
      OVERRIDE_RULES.expired,
      `freeze override ${current.overrideId} ended at ${current.to}`,
    );
  if (current.status !== 'Active')
    throw new RuleViolation(
      OVERRIDE_RULES.notActive,
      `freeze override ${current.overrideId} is ${current.status.toLowerCase()}, not active`,
    );
  const window = overrideWindow(current);
  if (!window || startMs < window.start || endMs > window.end)
    throw new RuleViolation(
      OVERRIDE_RULES.useOutsideInterval,
      `deployment ${deploymentId} from ${start} to ${end} is not inside freeze override ${current.overrideId} (from ${utcInstant(window?.start ?? Date.parse(current.from))} to ${current.to})`,
    );
  if (!scopeWithin(scope, current.scope))
    throw new RuleViolation(
      OVERRIDE_RULES.useOutsideScope,
      `deployment ${deploymentId} reaches beyond the scope of freeze override ${current.overrideId}`,
    );
  return [
    {
      type: 'FreezeOverrideUsed',
      data: {
        overrideId: current.overrideId,
        freezeId: current.freezeId,
        deploymentId,
        start,
        end,
        scope,
        usedBy: command.metadata.actor,
        recordedAt: command.metadata.now,
      },
    },
  ];
};

export const expireFreezeOverride = (
  command: ExpireFreezeOverride,
  state: FreezeOverride,
): FreezeOverrideEvent[] => {
  assertMetadata(command.metadata);
  const current = tracked(state, command.data.overrideId);
  // Over already (a second sweeper, or rejected or revoked first): nothing to record.
  if (current.status !== 'Requested' && current.status !== 'Active') return [];
  const toMs = Date.parse(current.to);
  if (nowMs(command.metadata) < toMs)
    throw new RuleViolation(
      OVERRIDE_RULES.notYetEnded,
      `freeze override ${current.overrideId} runs until ${current.to}`,
    );
  const wasActive = current.status === 'Active';
  const expired: FreezeOverrideEvent = {
    type: 'FreezeOverrideExpired',
    data: {
      overrideId: current.overrideId,
      expiredAt: current.to,
      recordedAt: command.metadata.now,
      wasActive,
    },
  };
  if (!wasActive) return [expired];
  return [expired, reviewOpened(current, 'expired', toMs, command.metadata.now)];
};

export const closeOverrideReview = (
  command: CloseOverrideReview,
  state: FreezeOverride,
): FreezeOverrideEvent[] => {
  assertMetadata(command.metadata);
  const d = command.data;
  if (!OVERRIDE_REVIEW_OUTCOMES.includes(d.outcome))
    throw new ValidationError(
      'outcome',
      `outcome must be one of ${OVERRIDE_REVIEW_OUTCOMES.join(', ')}`,
    );
  const notes = assertNonEmpty('notes', d.notes).trim();
  const current = tracked(state, d.overrideId);
  const review = current.review;
  if (!review)
    throw new RuleViolation(
      OVERRIDE_RULES.reviewNotOpen,
      `freeze override ${current.overrideId} has no review; one opens when it expires or is revoked after being active`,
    );
  if (review.status === 'closed') {
    if (review.outcome === d.outcome && review.notes === notes) return [];
    throw new RuleViolation(
      OVERRIDE_RULES.reviewNotOpen,
      `the review of freeze override ${current.overrideId} was closed at ${review.closedAt ?? ''}`,
    );
  }
  // The review judges the requester's use of the override: someone else must close it.
  if (command.metadata.actor === current.requestedBy)
    throw new RuleViolation(
      OVERRIDE_RULES.reviewIndependent,
      `${current.requestedBy} requested freeze override ${current.overrideId} and may not close its review`,
    );
  return [
    {
      type: 'OverrideReviewClosed',
      data: {
        overrideId: current.overrideId,
        outcome: d.outcome,
        notes,
        closedBy: command.metadata.actor,
        closedAt: command.metadata.now,
        late: nowMs(command.metadata) > Date.parse(review.dueAt),
      },
    },
  ];
};

export const decideFreezeOverride = (
  command: FreezeOverrideCommand,
  state: FreezeOverride,
  context: FreezeOverrideDecisionContext = DEFAULT_CONTEXT,
): readonly FreezeOverrideEvent[] => {
  switch (command.type) {
    case 'RequestFreezeOverride':
      return requestFreezeOverride(command, state, context);
    case 'ApproveFreezeOverride':
      return approveFreezeOverride(command, state);
    case 'RejectFreezeOverride':
      return rejectFreezeOverride(command, state);
    case 'RevokeFreezeOverride':
      return revokeFreezeOverride(command, state);
    case 'RecordFreezeOverrideUse':
      return recordFreezeOverrideUse(command, state);
    case 'ExpireFreezeOverride':
      return expireFreezeOverride(command, state);
    case 'CloseOverrideReview':
      return closeOverrideReview(command, state);
    default: {
      const unknown: never = command;
      throw new ValidationError('type', `unknown command ${(unknown as { type: string }).type}`);
    }
  }
};
