import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { OverrideReviewOutcome } from '@trainyard/scheduling-domain';

export type OverrideReviewViewStatus = 'open' | 'closed';
export const OVERRIDE_REVIEW_VIEW_STATUSES: readonly OverrideReviewViewStatus[] = [
  'open',
  'closed',
];

/** The review item an override leaves once it ended (expired or revoked after being active). */
export interface OverrideReviewRow {
  readonly overrideId: string;
  readonly freezeId: string;
  readonly requestedBy: string;
  readonly trigger: 'expired' | 'revoked';
  readonly status: OverrideReviewViewStatus;
  readonly openedAt: string;
  readonly dueAt: string;
  readonly useCount: number;
  readonly outcome: OverrideReviewOutcome | null;
  readonly notes: string | null;
  readonly closedBy: string | null;
  readonly closedAt: string | null;
  readonly late: boolean | null;
  readonly version: number;
}

@Entity({ name: 'override_reviews' })
@Index('override_reviews_status_idx', ['status', 'dueAt'])
export class OverrideReviewView implements OverrideReviewRow {
  @PrimaryColumn({ name: 'override_id', type: 'text' }) overrideId!: string;
  @Column({ name: 'freeze_id', type: 'text' }) freezeId!: string;
  @Column({ name: 'requested_by', type: 'text' }) requestedBy!: string;
  @Column({ type: 'text' }) trigger!: 'expired' | 'revoked';
  @Column({ type: 'text' }) status!: OverrideReviewViewStatus;
  @Column({ name: 'opened_at', type: 'text' }) openedAt!: string;
  @Column({ name: 'due_at', type: 'text' }) dueAt!: string;
  @Column({ name: 'use_count', type: 'integer' }) useCount!: number;
  @Column({ type: 'text', nullable: true }) outcome!: OverrideReviewOutcome | null;
  @Column({ type: 'text', nullable: true }) notes!: string | null;
  @Column({ name: 'closed_by', type: 'text', nullable: true }) closedBy!: string | null;
  @Column({ name: 'closed_at', type: 'text', nullable: true }) closedAt!: string | null;
  @Column({ type: 'boolean', nullable: true }) late!: boolean | null;
  @Column({ type: 'integer' }) version!: number;
}
