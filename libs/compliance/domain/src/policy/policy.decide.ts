import {
  AlreadyExistsError,
  assertMetadata,
  NotFoundError,
  RuleViolation,
  ValidationError,
} from '@trainyard/kernel';
import { gt, lte } from 'semver';
import type { PolicyRule } from './policy-rule';
import {
  assertPolicyId,
  assertPolicyVersion,
  assertText,
  validatePolicyBundleProposal,
} from './policy-bundle.validation';
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

const sameProposal = (v: PolicyVersion, command: ProposePolicyBundle): boolean =>
  v.proposedBy === command.metadata.actor &&
  v.title === command.data.title &&
  JSON.stringify(v.rules) === JSON.stringify(command.data.rules);

export const proposePolicyBundle = (command: ProposePolicyBundle, state: Policy): PolicyEvent[] => {
  assertMetadata(command.metadata);
  const { data } = command;
  // Every invalid field at once, CEL expressions compiled and type-checked included.
  const { policyId, version, title } = validatePolicyBundleProposal(data);
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
