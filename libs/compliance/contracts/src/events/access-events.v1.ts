/** A role as access administration defines it. */
export interface AccessRoleV1 {
  readonly name: string;
  readonly description: string;
  readonly privileged: boolean;
  readonly permissions: readonly string[];
}

/** A role was defined or redefined (applied). Key `access-model-<modelId>`. */
export interface AccessRolePutV1 {
  readonly role: AccessRoleV1;
  readonly previous?: AccessRoleV1;
  readonly changedBy: string;
  /** Present when the change needed a second person (a privileged role). */
  readonly approvedBy?: string;
  readonly changeId?: string;
  readonly modelVersion: number;
  readonly changedAt: string;
}

export interface AccessRoleGrantedV1 {
  readonly subject: string;
  readonly role: string;
  readonly grantedBy: string;
  readonly approvedBy?: string;
  readonly changeId?: string;
  readonly modelVersion: number;
  readonly grantedAt: string;
}

export interface AccessRoleRevokedV1 {
  readonly subject: string;
  readonly role: string;
  readonly revokedBy: string;
  readonly modelVersion: number;
  readonly revokedAt: string;
}

/** A change to a privileged role (or a grant of one) awaits a second person. */
export interface AccessChangeProposedV1 {
  readonly changeId: string;
  /** `PutRole` or `GrantRole`. */
  readonly kind: string;
  readonly role?: AccessRoleV1;
  readonly subject?: string;
  readonly roleName?: string;
  readonly proposedBy: string;
  readonly reason?: string;
  readonly proposedAt: string;
}

export interface AccessChangeApprovedV1 {
  readonly changeId: string;
  readonly proposedBy: string;
  readonly approvedBy: string;
  readonly approvedAt: string;
}

export interface AccessChangeRejectedV1 {
  readonly changeId: string;
  readonly rejectedBy: string;
  readonly reason?: string;
  readonly rejectedAt: string;
}
