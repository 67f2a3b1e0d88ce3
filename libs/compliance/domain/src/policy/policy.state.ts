import type { PolicyRule } from './policy-rule';

export type PolicyVersionStatus = 'Proposed' | 'Approved' | 'Rejected';

export interface PolicyVersion {
  readonly version: string;
  readonly title: string;
  readonly rules: readonly PolicyRule[];
  readonly status: PolicyVersionStatus;
  readonly proposedBy: string;
  readonly approvedBy?: string;
}

export type Policy =
  | { readonly status: 'Unproposed' }
  | {
      readonly status: 'Active' | 'Draft';
      readonly policyId: string;
      /** Every version ever proposed, in proposal order. */
      readonly versions: readonly PolicyVersion[];
      readonly activeVersion?: string;
    };

export const initialPolicy = (): Policy => ({ status: 'Unproposed' });
