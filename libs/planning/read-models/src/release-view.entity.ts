import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ReleaseKind, TeamDelivery, VersionSkew } from '@trainyard/planning-domain';

export type ReleaseViewStatus = 'planning' | 'scope-committed' | 'released' | 'cancelled';

/** One release: its state, capacity and, once closed, the per-team delivery that is velocity history. */
export interface ReleaseRow {
  readonly releaseId: string;
  /** The train, or for an emergency patch the independent track. */
  readonly trainId: string;
  readonly kind: ReleaseKind;
  readonly status: ReleaseViewStatus;
  readonly windowStart: string | null;
  readonly windowEnd: string | null;
  readonly capacityTotal: number;
  readonly capacityUsed: number;
  readonly deferredCount: number;
  readonly policyVersion: string | null;
  readonly plannedBy: string;
  readonly plannedAt: string;
  readonly committedBy: string | null;
  readonly committedAt: string | null;
  readonly closedAt: string | null;
  readonly cancelReason: string | null;
  readonly negotiatedInclude: readonly string[];
  readonly negotiatedExclude: readonly string[];
  readonly deploymentOrder: readonly { readonly workloadId: string; readonly wave: number }[];
  readonly delivered: readonly TeamDelivery[];
  readonly complianceAlerts: readonly string[];
  /** As committed: shared libraries shipped at more than one version, with their resolutions. */
  readonly versionSkews: readonly VersionSkew[];
  readonly version: number;
}

@Entity({ name: 'releases' })
@Index('releases_train_idx', ['trainId', 'status'])
export class ReleaseView implements ReleaseRow {
  @PrimaryColumn({ name: 'release_id', type: 'text' }) releaseId!: string;
  @Column({ name: 'train_id', type: 'text' }) trainId!: string;
  @Column({ type: 'text' }) kind!: ReleaseKind;
  @Column({ type: 'text' }) status!: ReleaseViewStatus;
  @Column({ name: 'window_start', type: 'text', nullable: true }) windowStart!: string | null;
  @Column({ name: 'window_end', type: 'text', nullable: true }) windowEnd!: string | null;
  @Column({ name: 'capacity_total', type: 'double precision' }) capacityTotal!: number;
  @Column({ name: 'capacity_used', type: 'double precision' }) capacityUsed!: number;
  @Column({ name: 'deferred_count', type: 'integer' }) deferredCount!: number;
  @Column({ name: 'policy_version', type: 'text', nullable: true }) policyVersion!: string | null;
  @Column({ name: 'planned_by', type: 'text' }) plannedBy!: string;
  @Column({ name: 'planned_at', type: 'text' }) plannedAt!: string;
  @Column({ name: 'committed_by', type: 'text', nullable: true }) committedBy!: string | null;
  @Column({ name: 'committed_at', type: 'text', nullable: true }) committedAt!: string | null;
  @Column({ name: 'closed_at', type: 'text', nullable: true }) closedAt!: string | null;
  @Column({ name: 'cancel_reason', type: 'text', nullable: true }) cancelReason!: string | null;
  @Column({ name: 'negotiated_include', type: 'jsonb' }) negotiatedInclude!: string[];
  @Column({ name: 'negotiated_exclude', type: 'jsonb' }) negotiatedExclude!: string[];
  @Column({ name: 'deployment_order', type: 'jsonb' }) deploymentOrder!: {
    workloadId: string;
    wave: number;
  }[];
  @Column({ type: 'jsonb' }) delivered!: TeamDelivery[];
  @Column({ name: 'compliance_alerts', type: 'jsonb' }) complianceAlerts!: string[];
  @Column({ name: 'version_skews', type: 'jsonb' }) versionSkews!: VersionSkew[];
  @Column({ type: 'integer' }) version!: number;
}
