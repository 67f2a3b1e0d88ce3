/** A policy version was approved by someone other than its author and is now the active one. Key `policy-<policyId>`. */
export interface PolicyBundleApprovedV1 {
  readonly policyId: string;
  readonly version: string;
  readonly proposedBy: string;
  readonly approvedBy: string;
  /** RFC 3339. */
  readonly approvedAt: string;
  /** The version it replaces, if one was active. */
  readonly previousVersion?: string;
}
