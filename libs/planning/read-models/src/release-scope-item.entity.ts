import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ChangeType } from '@trainyard/planning-domain';

export type ScopeDecision = 'included' | 'deferred' | 'excluded';

/** What a release decided for one workload, and why: the per-workload explanation of a plan. */
export interface ScopeItemRow {
  readonly releaseId: string;
  readonly workloadId: string;
  readonly team: string;
  /** Null for deferred items: the workload's own job size applies. */
  readonly jobSize: number | null;
  readonly changeType: ChangeType | null;
  readonly decision: ScopeDecision;
  /** Emergency patches and post-commit exceptions. */
  readonly unplanned: boolean;
  readonly reason: string;
  /** Position in the order allocation considered the candidates. */
  readonly order: number | null;
  readonly approver: string | null;
  readonly completedJobSize: number | null;
}

@Entity({ name: 'release_scope_items' })
export class ReleaseScopeItemView implements ScopeItemRow {
  @PrimaryColumn({ name: 'release_id', type: 'text' }) releaseId!: string;
  @PrimaryColumn({ name: 'workload_id', type: 'text' }) workloadId!: string;
  @Column({ type: 'text' }) team!: string;
  @Column({ name: 'job_size', type: 'double precision', nullable: true }) jobSize!: number | null;
  @Column({ name: 'change_type', type: 'text', nullable: true }) changeType!: ChangeType | null;
  @Column({ type: 'text' }) decision!: ScopeDecision;
  @Column({ type: 'boolean' }) unplanned!: boolean;
  @Column({ type: 'text' }) reason!: string;
  @Column({ name: 'plan_order', type: 'integer', nullable: true }) order!: number | null;
  @Column({ type: 'text', nullable: true }) approver!: string | null;
  @Column({ name: 'completed_job_size', type: 'double precision', nullable: true })
  completedJobSize!: number | null;
}
