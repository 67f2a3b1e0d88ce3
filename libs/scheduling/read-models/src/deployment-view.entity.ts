import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RejectedSlot } from '@trainyard/scheduling-domain';

export type DeploymentProgress = 'scheduled' | 'started' | 'finished';

/** One scheduled deployment (a workload in one environment): the deployment calendar's row. */
export interface DeploymentRow {
  readonly deploymentId: string;
  readonly releaseId: string;
  readonly trainId: string;
  readonly workloadId: string;
  readonly team: string;
  readonly workloadType: string;
  readonly environment: string;
  readonly components: readonly string[];
  readonly owner: string | null;
  readonly wave: number;
  /** UTC `YYYY-MM-DDTHH:MM:SSZ`: sorts as text. */
  readonly startAt: string;
  readonly endAt: string;
  readonly expectedMinutes: number;
  readonly expectedBasis: string;
  readonly status: DeploymentProgress;
  readonly rejected: readonly RejectedSlot[];
  /** Why the slot last moved (DeploymentRescheduled), if it did. */
  readonly rescheduleReason: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly outcome: string | null;
  readonly actualMinutes: number | null;
  readonly varianceMinutes: number | null;
}

@Entity({ name: 'deployments' })
export class DeploymentView implements DeploymentRow {
  @PrimaryColumn({ name: 'deployment_id', type: 'text' }) deploymentId!: string;
  @Column({ name: 'release_id', type: 'text' }) releaseId!: string;
  @Column({ name: 'train_id', type: 'text' }) trainId!: string;
  @Column({ name: 'workload_id', type: 'text' }) workloadId!: string;
  @Column({ type: 'text' }) team!: string;
  @Column({ name: 'workload_type', type: 'text' }) workloadType!: string;
  @Column({ type: 'text' }) environment!: string;
  @Column({ type: 'jsonb' }) components!: string[];
  @Column({ type: 'text', nullable: true }) owner!: string | null;
  @Column({ type: 'integer' }) wave!: number;
  @Column({ name: 'start_at', type: 'text' }) startAt!: string;
  @Column({ name: 'end_at', type: 'text' }) endAt!: string;
  @Column({ name: 'expected_minutes', type: 'double precision' }) expectedMinutes!: number;
  @Column({ name: 'expected_basis', type: 'text' }) expectedBasis!: string;
  @Column({ type: 'text' }) status!: DeploymentProgress;
  @Column({ type: 'jsonb' }) rejected!: RejectedSlot[];
  @Column({ name: 'reschedule_reason', type: 'text', nullable: true })
  rescheduleReason!: string | null;
  @Column({ name: 'started_at', type: 'text', nullable: true }) startedAt!: string | null;
  @Column({ name: 'finished_at', type: 'text', nullable: true }) finishedAt!: string | null;
  @Column({ type: 'text', nullable: true }) outcome!: string | null;
  @Column({ name: 'actual_minutes', type: 'double precision', nullable: true })
  actualMinutes!: number | null;
  @Column({ name: 'variance_minutes', type: 'double precision', nullable: true })
  varianceMinutes!: number | null;
}
