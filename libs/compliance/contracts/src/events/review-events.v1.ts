// Reviews and sign-offs (issue 13 item 3). Key `review-<workloadId>`.

/** A signer signed off a change touching regulated data. */
export interface ChangeSignedOffV1 {
  readonly workloadId: string;
  readonly signer: string;
  readonly role: string;
  readonly signedAt: string;
  readonly signOffs: number;
  readonly requiredSignOffs: number;
}

/** The change has its required distinct non-author sign-offs in allowed roles. */
export interface ChangeReviewApprovedV1 {
  readonly workloadId: string;
  readonly signers: readonly string[];
  readonly approvedAt: string;
}

/** Deployment of the workload by `deployer` was refused (`sod-approver-cannot-deploy`, `review-not-approved`). */
export interface DeploymentRefusedV1 {
  readonly workloadId: string;
  readonly deployer: string;
  readonly rule: string;
  readonly reason: string;
  readonly decidedAt: string;
}

/** A finding: the retrospective review of an emergency patch was not closed by its due time. */
export interface RetrospectiveReviewOverdueV1 {
  readonly workloadId: string;
  readonly releaseId: string;
  readonly dueAt: string;
  readonly detectedAt: string;
}
