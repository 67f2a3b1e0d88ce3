import type { DomainEvent } from '@trainyard/kernel';
import type { PolicyRule } from './policy-rule';

export type PolicyBundleProposed = DomainEvent<
  'PolicyBundleProposed',
  {
    readonly policyId: string;
    readonly version: string;
    readonly title: string;
    readonly rules: readonly PolicyRule[];
    readonly proposedBy: string;
    readonly proposedAt: string;
  }
>;

/** The version became the policy's active one, replacing `previousVersion` if any. */
export type PolicyBundleApproved = DomainEvent<
  'PolicyBundleApproved',
  {
    readonly policyId: string;
    readonly version: string;
    readonly proposedBy: string;
    readonly approvedBy: string;
    readonly approvedAt: string;
    readonly previousVersion?: string;
  }
>;

export type PolicyBundleRejected = DomainEvent<
  'PolicyBundleRejected',
  {
    readonly policyId: string;
    readonly version: string;
    readonly reason: string;
    readonly rejectedBy: string;
    readonly rejectedAt: string;
  }
>;

export type PolicyEvent = PolicyBundleProposed | PolicyBundleApproved | PolicyBundleRejected;
