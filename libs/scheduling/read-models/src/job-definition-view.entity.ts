import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { JobManifest, JobManifestChange } from '@trainyard/scheduling-domain';

/** A change waiting for a second person's approval. */
export interface JobProposalView {
  readonly digest: string;
  readonly manifest: JobManifest;
  readonly changes: readonly JobManifestChange[];
  readonly reasons: readonly string[];
  readonly baseVersion: number;
  readonly author: string;
  readonly proposedAt: string;
}

/**
 * One job definition as the API, the catalogue and the runtime read it: the running manifest
 * (null while the first version waits for approval), whether it is deprecated, and a pending
 * proposal.
 */
export interface JobDefinitionRow {
  readonly name: string;
  /** From the running manifest, or from the first proposal while there is none. */
  readonly owner: string;
  readonly criticality: string;
  readonly description: string | null;
  readonly runningVersion: number | null;
  readonly digest: string | null;
  readonly manifest: JobManifest | null;
  /** Author of the running version (the one who rolled back, for a rollback). */
  readonly author: string | null;
  readonly approvedBy: string | null;
  readonly appliedAt: string | null;
  readonly deprecated: boolean;
  readonly deprecatedReason: string | null;
  readonly deprecatedBy: string | null;
  readonly deprecatedAt: string | null;
  readonly proposal: JobProposalView | null;
  readonly proposalDigest: string | null;
  readonly proposedBy: string | null;
  readonly versionCount: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Version of the job's stream this row reflects. */
  readonly version: number;
}

@Entity({ name: 'job_definitions' })
@Index('job_definitions_owner_idx', ['owner', 'name'])
export class JobDefinitionView implements JobDefinitionRow {
  @PrimaryColumn({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) owner!: string;
  @Column({ type: 'text' }) criticality!: string;
  @Column({ type: 'text', nullable: true }) description!: string | null;
  @Column({ name: 'running_version', type: 'integer', nullable: true })
  runningVersion!: number | null;
  @Column({ type: 'text', nullable: true }) digest!: string | null;
  @Column({ type: 'jsonb', nullable: true }) manifest!: JobManifest | null;
  @Column({ type: 'text', nullable: true }) author!: string | null;
  @Column({ name: 'approved_by', type: 'text', nullable: true }) approvedBy!: string | null;
  @Column({ name: 'applied_at', type: 'text', nullable: true }) appliedAt!: string | null;
  @Column({ type: 'boolean' }) deprecated!: boolean;
  @Column({ name: 'deprecated_reason', type: 'text', nullable: true })
  deprecatedReason!: string | null;
  @Column({ name: 'deprecated_by', type: 'text', nullable: true }) deprecatedBy!: string | null;
  @Column({ name: 'deprecated_at', type: 'text', nullable: true }) deprecatedAt!: string | null;
  @Column({ type: 'jsonb', nullable: true }) proposal!: JobProposalView | null;
  @Column({ name: 'proposal_digest', type: 'text', nullable: true })
  proposalDigest!: string | null;
  @Column({ name: 'proposed_by', type: 'text', nullable: true }) proposedBy!: string | null;
  @Column({ name: 'version_count', type: 'integer' }) versionCount!: number;
  @Column({ name: 'created_at', type: 'text' }) createdAt!: string;
  @Column({ name: 'updated_at', type: 'text' }) updatedAt!: string;
  @Column({ type: 'integer' }) version!: number;
}

/** One version of a job's manifest; every version is kept. */
export interface JobManifestVersionRow {
  readonly name: string;
  readonly jobVersion: number;
  readonly digest: string;
  readonly manifest: JobManifest;
  readonly author: string;
  readonly approvedBy: string | null;
  /** Set when this version was made by rolling back to that earlier one. */
  readonly rolledBackFrom: number | null;
  /** The diff from the version it replaced. */
  readonly changes: readonly JobManifestChange[];
  readonly createdAt: string;
}

@Entity({ name: 'job_manifest_versions' })
export class JobManifestVersionView implements JobManifestVersionRow {
  @PrimaryColumn({ type: 'text' }) name!: string;
  @PrimaryColumn({ name: 'job_version', type: 'integer' }) jobVersion!: number;
  @Column({ type: 'text' }) digest!: string;
  @Column({ type: 'jsonb' }) manifest!: JobManifest;
  @Column({ type: 'text' }) author!: string;
  @Column({ name: 'approved_by', type: 'text', nullable: true }) approvedBy!: string | null;
  @Column({ name: 'rolled_back_from', type: 'integer', nullable: true })
  rolledBackFrom!: number | null;
  @Column({ type: 'jsonb' }) changes!: JobManifestChange[];
  @Column({ name: 'created_at', type: 'text' }) createdAt!: string;
}
