import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { UnplacedDeployment } from '@trainyard/scheduling-domain';

/** One release's plan: scheduled, or the placement alert with what could not be placed. */
export interface DeploymentPlanRow {
  readonly releaseId: string;
  readonly trainId: string;
  readonly status: 'Scheduled' | 'PlacementFailed';
  readonly deadline: string;
  /** The alert's reason, or the last reschedule's. */
  readonly reason: string | null;
  readonly unplaced: readonly UnplacedDeployment[];
  readonly updatedAt: string;
  readonly version: number;
}

@Entity({ name: 'deployment_plans' })
export class DeploymentPlanView implements DeploymentPlanRow {
  @PrimaryColumn({ name: 'release_id', type: 'text' }) releaseId!: string;
  @Column({ name: 'train_id', type: 'text' }) trainId!: string;
  @Column({ type: 'text' }) status!: 'Scheduled' | 'PlacementFailed';
  @Column({ type: 'text' }) deadline!: string;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'jsonb' }) unplaced!: UnplacedDeployment[];
  @Column({ name: 'updated_at', type: 'text' }) updatedAt!: string;
  @Column({ type: 'integer' }) version!: number;
}
