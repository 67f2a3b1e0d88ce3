import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PolicyRule } from '@trainyard/compliance-domain';

/** One policy: its active version (the one evaluations use) and its latest proposal. */
export interface PolicyRow {
  readonly policyId: string;
  readonly title: string;
  readonly activeVersion: string | null;
  readonly latestVersion: string;
  readonly versionCount: number;
  readonly updatedAt: string;
  readonly streamVersion: number;
}

@Entity({ name: 'policies' })
export class PolicyView implements PolicyRow {
  @PrimaryColumn({ name: 'policy_id', type: 'text' }) policyId!: string;
  @Column({ type: 'text' }) title!: string;
  @Column({ name: 'active_version', type: 'text', nullable: true }) activeVersion!: string | null;
  @Column({ name: 'latest_version', type: 'text' }) latestVersion!: string;
  @Column({ name: 'version_count', type: 'integer' }) versionCount!: number;
  @Column({ name: 'updated_at', type: 'text' }) updatedAt!: string;
  @Column({ name: 'stream_version', type: 'integer' }) streamVersion!: number;
}

/** One version of a policy: its rules and where its review stands. */
export interface PolicyVersionRow {
  readonly policyId: string;
  readonly version: string;
  readonly title: string;
  /** Proposed, Approved or Rejected. */
  readonly status: string;
  readonly rules: readonly PolicyRule[];
  readonly proposedBy: string;
  readonly proposedAt: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly reason: string | null;
  readonly streamVersion: number;
}

@Entity({ name: 'policy_versions' })
export class PolicyVersionView implements PolicyVersionRow {
  @PrimaryColumn({ name: 'policy_id', type: 'text' }) policyId!: string;
  @PrimaryColumn({ type: 'text' }) version!: string;
  @Column({ type: 'text' }) title!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'jsonb' }) rules!: PolicyRule[];
  @Column({ name: 'proposed_by', type: 'text' }) proposedBy!: string;
  @Column({ name: 'proposed_at', type: 'text' }) proposedAt!: string;
  @Column({ name: 'decided_by', type: 'text', nullable: true }) decidedBy!: string | null;
  @Column({ name: 'decided_at', type: 'text', nullable: true }) decidedAt!: string | null;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ name: 'stream_version', type: 'integer' }) streamVersion!: number;
}
