import {
  AlreadyExistsError,
  assertMetadata,
  assertNonEmpty,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import { gt, lte, valid } from 'semver';
import { compileBundle } from '../evaluation/evaluate';
import {
  CONTROL_PATTERN,
  MAX_EXPRESSION_LENGTH,
  MAX_RULES,
  POLICY_ID_PATTERN,
  RULE_EFFECTS,
  RULE_ID_PATTERN,
  TRIGGERS,
  type PolicyRule,
} from './policy-rule';
import type {
  ApprovePolicyBundle,
  PolicyCommand,
  ProposePolicyBundle,
  RejectPolicyBundle,
} from './policy.commands';
import type { PolicyEvent } from './policy.events';
import type { Policy, PolicyVersion } from './policy.state';

/** Rule ids of the policy aggregate: stable API. */
export const POLICY_FOUR_EYES_RULE = 'policy-four-eyes';
export const POLICY_VERSION_INCREASES_RULE = 'policy-version-increases';
export const POLICY_VERSION_PENDING_RULE = 'policy-version-pending';
export const POLICY_VERSION_SUPERSEDED_RULE = 'policy-version-superseded';

const MAX_TEXT = 500;

// Not a type guard: `Array.isArray` would narrow the typed arrays to `any[]`.
const isList = (value: unknown): boolean => Array.isArray(value);

const assertText = (field: string, value: unknown, max = MAX_TEXT): string => {
  const text = assertNonEmpty(field, value);
  if (text.length > max)
    throw new ValidationError(field, `${field} must be at most ${max} characters long.`);
  return text;
};

export const assertPolicyId = (policyId: unknown): string => {
  const id = assertText('policyId', policyId, 64);
  if (!POLICY_ID_PATTERN.test(id))
    throw new ValidationError(
      'policyId',
      'policyId must be lower-case words joined by - or . (e.g. change-control).',
    );
  return id;
};

export const assertPolicyVersion = (version: unknown): string => {
  const v = assertText('version', version, 64);
  if (valid(v) !== v)
    throw new ValidationError(
      'version',
      `version must be a semantic version such as 1.0.0; got ${v}.`,
    );
  return v;
};

const assertRule = (rule: PolicyRule, i: number, ids: Set<string>): void => {
  const at = `rules[${i}]`;
  if (rule === null || typeof rule !== 'object')
    throw new ValidationError(at, `${at} must be a rule.`);
  const id = assertText(`${at}.id`, rule.id, 64);
  if (!RULE_ID_PATTERN.test(id))
    throw new ValidationError(
      `${at}.id`,
      `${at}.id must be lower-case words joined by - or . (e.g. two-approvers).`,
    );
  if (ids.has(id)) throw new ValidationError(`${at}.id`, `${at}.id repeats rule ${id}.`);
  ids.add(id);
  assertText(`${at}.description`, rule.description);
  assertText(`${at}.expression`, rule.expression, MAX_EXPRESSION_LENGTH);
  if (!isList(rule.controls) || rule.controls.length === 0)
    throw new ValidationError(
      `${at}.controls`,
      `${at}.controls must name at least one control (e.g. SOC2:CC8.1).`,
    );
  rule.controls.forEach((c, j) => {
    if (typeof c !== 'string' || !CONTROL_PATTERN.test(c))
      throw new ValidationError(
        `${at}.controls[${j}]`,
        `${at}.controls[${j}] must be <framework>:<control>, such as SOC2:CC8.1 or ISO27001:A.8.32.`,
      );
  });
  if (!RULE_EFFECTS.includes(rule.effect))
    throw new ValidationError(
      `${at}.effect`,
      `${at}.effect must be one of ${RULE_EFFECTS.join(', ')}.`,
    );
  if (!isList(rule.triggers) || rule.triggers.length === 0)
    throw new ValidationError(`${at}.triggers`, `${at}.triggers must name at least one trigger.`);
  rule.triggers.forEach((t, j) => {
    if (!TRIGGERS.includes(t))
      throw new ValidationError(
        `${at}.triggers[${j}]`,
        `${at}.triggers[${j}] must be one of ${TRIGGERS.join(', ')}.`,
      );
  });
};

const sameProposal = (v: PolicyVersion, command: ProposePolicyBundle): boolean =>
  v.proposedBy === command.metadata.actor &&
  v.title === command.data.title &&
  JSON.stringify(v.rules) === JSON.stringify(command.data.rules);

export const proposePolicyBundle = (command: ProposePolicyBundle, state: Policy): PolicyEvent[] => {
  assertMetadata(command.metadata);
  const { data } = command;
  const policyId = assertPolicyId(data.policyId);
  const version = assertPolicyVersion(data.version);
  const title = assertText('title', data.title);
  if (!isList(data.rules) || data.rules.length === 0)
    throw new ValidationError('rules', 'rules must hold at least one rule.');
  if (data.rules.length > MAX_RULES)
    throw new ValidationError('rules', `rules must hold at most ${MAX_RULES} rules.`);
  const ids = new Set<string>();
  data.rules.forEach((rule, i) => assertRule(rule, i, ids));
  // Compiled and type-checked now, so an approved bundle never holds an expression that cannot run.
  compileBundle({ policyId, version, rules: data.rules });
  if (state.status !== 'Unproposed') {
    const existing = state.versions.find((v) => v.version === version);
    if (existing) {
      if (sameProposal(existing, command)) return [];
      throw new AlreadyExistsError('policy version', `${policyId}@${version}`);
    }
    const newer = state.versions.find((v) => !gt(version, v.version));
    if (newer)
      throw new RuleViolation(
        POLICY_VERSION_INCREASES_RULE,
        `Version ${version} of ${policyId} must be greater than every proposed version, ${newer.version} included.`,
      );
  }
  return [
    {
      type: 'PolicyBundleProposed',
      data: {
        policyId,
        version,
        title,
        rules: data.rules.map((r) => ({
          id: r.id,
          description: r.description,
          expression: r.expression,
          controls: [...r.controls],
          effect: r.effect,
          triggers: [...r.triggers],
        })),
        proposedBy: command.metadata.actor,
        proposedAt: command.metadata.now,
      },
    },
  ];
};

const versionOf = (state: Policy, policyId: string, version: string): PolicyVersion => {
  if (state.status === 'Unproposed') throw new NotFoundError('policy', policyId);
  if (state.policyId !== policyId)
    throw new ValidationError(
      'policyId',
      `The command for ${policyId} was sent to policy ${state.policyId}.`,
    );
  const found = state.versions.find((v) => v.version === version);
  if (!found) throw new NotFoundError('policy version', `${policyId}@${version}`);
  return found;
};

export const approvePolicyBundle = (command: ApprovePolicyBundle, state: Policy): PolicyEvent[] => {
  assertMetadata(command.metadata);
  const policyId = assertPolicyId(command.data.policyId);
  const version = assertPolicyVersion(command.data.version);
  const v = versionOf(state, policyId, version);
  const approver = command.metadata.actor;
  if (v.status === 'Approved' && v.approvedBy === approver) return [];
  if (v.status !== 'Proposed')
    throw new RuleViolation(
      POLICY_VERSION_PENDING_RULE,
      `Version ${version} of ${policyId} is ${v.status.toLowerCase()}, so it can no longer be approved.`,
    );
  if (v.proposedBy === approver)
    throw new RuleViolation(
      POLICY_FOUR_EYES_RULE,
      `${approver} proposed version ${version} of ${policyId} and may not approve it; someone else must.`,
    );
  const active = state.status === 'Unproposed' ? undefined : state.activeVersion;
  if (active !== undefined && lte(version, active))
    throw new RuleViolation(
      POLICY_VERSION_SUPERSEDED_RULE,
      `Version ${version} of ${policyId} is not newer than the active version ${active}.`,
    );
  return [
    {
      type: 'PolicyBundleApproved',
      data: {
        policyId,
        version,
        proposedBy: v.proposedBy,
        approvedBy: approver,
        approvedAt: command.metadata.now,
        ...(active !== undefined ? { previousVersion: active } : {}),
      },
    },
  ];
};

export const rejectPolicyBundle = (command: RejectPolicyBundle, state: Policy): PolicyEvent[] => {
  assertMetadata(command.metadata);
  const policyId = assertPolicyId(command.data.policyId);
  const version = assertPolicyVersion(command.data.version);
  const reason = assertText('reason', command.metadata.reason);
  const v = versionOf(state, policyId, version);
  if (v.status === 'Rejected') return [];
  if (v.status !== 'Proposed')
    throw new RuleViolation(
      POLICY_VERSION_PENDING_RULE,
      `Version ${version} of ${policyId} is ${v.status.toLowerCase()}, so it can no longer be rejected.`,
    );
  return [
    {
      type: 'PolicyBundleRejected',
      data: {
        policyId,
        version,
        reason,
        rejectedBy: command.metadata.actor,
        rejectedAt: command.metadata.now,
      },
    },
  ];
};

export const decidePolicy = (command: PolicyCommand, state: Policy): readonly PolicyEvent[] => {
  switch (command.type) {
    case 'ProposePolicyBundle':
      return proposePolicyBundle(command, state);
    case 'ApprovePolicyBundle':
      return approvePolicyBundle(command, state);
    case 'RejectPolicyBundle':
      return rejectPolicyBundle(command, state);
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
};

/** The version the policy enforces now, if one was approved. */
export const activeBundleOf = (
  state: Policy,
): { readonly version: string; readonly rules: readonly PolicyRule[] } | undefined => {
  if (state.status === 'Unproposed' || state.activeVersion === undefined) return undefined;
  return state.versions.find((v) => v.version === state.activeVersion);
};
