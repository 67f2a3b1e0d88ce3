import type { Command } from '@trainyard/kernel';
import type { PolicyRule } from './policy-rule';

/** The author is `metadata.actor`. */
export type ProposePolicyBundle = Command<
  'ProposePolicyBundle',
  {
    readonly policyId: string;
    readonly version: string;
    readonly title: string;
    readonly rules: readonly PolicyRule[];
  }
>;
/** The approver is `metadata.actor`, who may not be the author (`policy-four-eyes`). */
export type ApprovePolicyBundle = Command<
  'ApprovePolicyBundle',
  { readonly policyId: string; readonly version: string }
>;
/** The reason comes from `metadata.reason` and is required. */
export type RejectPolicyBundle = Command<
  'RejectPolicyBundle',
  { readonly policyId: string; readonly version: string }
>;

export type PolicyCommand = ProposePolicyBundle | ApprovePolicyBundle | RejectPolicyBundle;
