import { ValidationError } from '@trainyard/kernel';
import type { CalendarScope } from '../calendar/calendar-entry';

/**
 * A rule raising the approvals a freeze override needs. It matches an override whose scope may
 * reach one of the listed values in every dimension the rule names: an override over "every
 * environment" reaches prod, so a prod rule applies to it. Kept as data so the policy lives in
 * configuration and every decision records the `version` it was taken under.
 */
export interface OverrideApprovalRule {
  readonly id: string;
  readonly when: CalendarScope;
  /** Distinct approvals, none by the requester, before the override is active. */
  readonly approvals: number;
}

/** How freeze overrides are granted, bounded and reviewed (issue 11 item 3). */
export interface OverridePolicy {
  /** Recorded on every request, so an audit can tell which rules applied. */
  readonly version: string;
  /** Approvals needed when no rule matches. */
  readonly defaultApprovals: number;
  /** Every matching rule counts; the strictest (most approvals) wins. */
  readonly approvalRules: readonly OverrideApprovalRule[];
  /** Longest override, `to - from`, in hours. */
  readonly maxDurationHours: number;
  /** A review is due this many hours after the override ended (expired or revoked). */
  readonly reviewDueHours: number;
}

export const DEFAULT_OVERRIDE_POLICY: OverridePolicy = {
  version: 'override-policy/2026-12.1',
  defaultApprovals: 2,
  approvalRules: [
    { id: 'prod-environment', when: { environments: ['prod', 'production'] }, approvals: 2 },
    { id: 'payments-team', when: { teams: ['payments'] }, approvals: 3 },
  ],
  maxDurationHours: 72,
  reviewDueHours: 120,
};

/** The approvals an override of this scope needs, and the rule that set them ('default' when none matched). */
export interface RequiredApprovals {
  readonly approvals: number;
  readonly ruleId: string;
}

const DIMENSIONS = ['trains', 'teams', 'environments', 'components'] as const;

/** The scope may reach a value the rule names in each dimension the rule names. */
export const scopeReaches = (scope: CalendarScope, when: CalendarScope): boolean =>
  DIMENSIONS.every((dimension) => {
    const wanted = when[dimension] ?? [];
    if (wanted.length === 0) return true;
    const values = scope[dimension] ?? [];
    return values.length === 0 || values.some((v) => wanted.includes(v));
  });

/** Strictest matching rule wins (ties: the first listed); 'default' only when none matches. */
export const requiredApprovals = (
  scope: CalendarScope,
  policy: OverridePolicy,
): RequiredApprovals => {
  let best: RequiredApprovals | undefined;
  for (const rule of policy.approvalRules)
    if (scopeReaches(scope, rule.when) && (!best || rule.approvals > best.approvals))
      best = { approvals: rule.approvals, ruleId: rule.id };
  return best && best.approvals >= policy.defaultApprovals
    ? best
    : { approvals: policy.defaultApprovals, ruleId: 'default' };
};

const positiveInteger = (field: string, value: number): void => {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new ValidationError(field, `${field} must be a positive integer`);
};

/** The policy as given, or a ValidationError naming the first bad field (run at start-up). */
export const assertValidOverridePolicy = (policy: OverridePolicy): OverridePolicy => {
  if (policy.version.trim() === '') throw new ValidationError('version', 'version is required');
  positiveInteger('defaultApprovals', policy.defaultApprovals);
  positiveInteger('maxDurationHours', policy.maxDurationHours);
  positiveInteger('reviewDueHours', policy.reviewDueHours);
  const ids = new Set<string>();
  policy.approvalRules.forEach((rule, i) => {
    if (rule.id.trim() === '' || rule.id === 'default' || ids.has(rule.id))
      throw new ValidationError(
        `approvalRules[${i}].id`,
        `approvalRules[${i}].id must be a new non-empty id other than default`,
      );
    ids.add(rule.id);
    positiveInteger(`approvalRules[${i}].approvals`, rule.approvals);
    // A rule may not lower the bar: the default is the floor of every scope.
    if (rule.approvals < policy.defaultApprovals)
      throw new ValidationError(
        `approvalRules[${i}].approvals`,
        `approvalRules[${i}].approvals may not be below defaultApprovals`,
      );
  });
  return policy;
};
