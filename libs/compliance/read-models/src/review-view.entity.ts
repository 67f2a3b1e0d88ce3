import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export interface ReviewSignOffRow {
  readonly signer: string;
  readonly role: string;
  readonly signedAt: string;
}

export interface DeploymentDecisionRow {
  readonly deployer: string;
  readonly allowed: boolean;
  readonly rule: string | null;
  readonly reason: string | null;
  readonly decidedAt: string;
}

/** One review of a workload: `change` (sign-offs) or `retrospective` (an emergency patch). */
export interface ReviewRow {
  readonly workloadId: string;
  readonly kind: 'change' | 'retrospective';
  /** change: Open | Approved; retrospective: Open | Overdue | Closed. */
  readonly status: string;
  readonly title: string | null;
  /** The change's author, or who requested the emergency patch. */
  readonly author: string;
  readonly dataClasses: readonly string[];
  readonly policyVersion: string;
  readonly requiredSignOffs: number;
  readonly allowedRoles: readonly string[];
  readonly signOffs: readonly ReviewSignOffRow[];
  readonly lastDeployment: DeploymentDecisionRow | null;
  readonly releaseId: string | null;
  readonly dueAt: string | null;
  readonly findings: string | null;
  readonly closedBy: string | null;
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly streamVersion: number;
}

@Entity({ name: 'compliance_reviews' })
@Index('compliance_reviews_status_idx', ['kind', 'status', 'openedAt'])
@Index('compliance_reviews_due_idx', ['kind', 'status', 'dueAt'])
export class ReviewView implements ReviewRow {
  @PrimaryColumn({ name: 'workload_id', type: 'text' }) workloadId!: string;
  @PrimaryColumn({ type: 'text' }) kind!: 'change' | 'retrospective';
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text', nullable: true }) title!: string | null;
  @Column({ type: 'text' }) author!: string;
  @Column({ name: 'data_classes', type: 'jsonb' }) dataClasses!: string[];
  @Column({ name: 'policy_version', type: 'text' }) policyVersion!: string;
  @Column({ name: 'required_sign_offs', type: 'integer' }) requiredSignOffs!: number;
  @Column({ name: 'allowed_roles', type: 'jsonb' }) allowedRoles!: string[];
  @Column({ name: 'sign_offs', type: 'jsonb' }) signOffs!: ReviewSignOffRow[];
  @Column({ name: 'last_deployment', type: 'jsonb', nullable: true })
  lastDeployment!: DeploymentDecisionRow | null;
  @Column({ name: 'release_id', type: 'text', nullable: true }) releaseId!: string | null;
  @Column({ name: 'due_at', type: 'text', nullable: true }) dueAt!: string | null;
  @Column({ type: 'text', nullable: true }) findings!: string | null;
  @Column({ name: 'closed_by', type: 'text', nullable: true }) closedBy!: string | null;
  @Column({ name: 'opened_at', type: 'text' }) openedAt!: string;
  @Column({ name: 'updated_at', type: 'text' }) updatedAt!: string;
  @Column({ name: 'stream_version', type: 'integer' }) streamVersion!: number;
}
