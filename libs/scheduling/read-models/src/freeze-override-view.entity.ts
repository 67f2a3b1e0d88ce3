import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type {
  CalendarScope,
  OverrideApproval,
  OverrideTerms,
  OverrideUse,
} from '@trainyard/scheduling-domain';

export type FreezeOverrideViewStatus = 'requested' | 'active' | 'rejected' | 'revoked' | 'expired';
export const FREEZE_OVERRIDE_VIEW_STATUSES: readonly FreezeOverrideViewStatus[] = [
  'requested',
  'active',
  'rejected',
  'revoked',
  'expired',
];

/**
 * One freeze override as portals, placement and the sweeper read it. It carries the override's
 * terms under their domain names, so `isOverrideActive` and `overrideCovers` read a row directly.
 * `status` is what has been recorded: an active override past `to` reads `active` until the
 * sweeper records its expiry; ask `isOverrideActive` for the time-based answer.
 */
export interface FreezeOverrideRow extends OverrideTerms {
  readonly overrideId: string;
  readonly freezeId: string;
  readonly scope: CalendarScope;
  /** UTC ISO-8601 text, so instants sort as text. */
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly status: FreezeOverrideViewStatus;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly requiredApprovals: number;
  readonly approvalRule: string;
  readonly policyVersion: string;
  readonly approvals: readonly OverrideApproval[];
  readonly activatedAt: string | null;
  readonly rejectedAt: string | null;
  readonly revokedAt: string | null;
  readonly expiredAt: string | null;
  /** Who rejected or revoked it, and why. */
  readonly endedBy: string | null;
  readonly endReason: string | null;
  readonly uses: readonly (OverrideUse & {
    readonly usedBy: string;
    readonly recordedAt: string;
  })[];
  readonly useCount: number;
  /** Version of the override's stream this row reflects. */
  readonly version: number;
}

@Entity({ name: 'freeze_overrides' })
@Index('freeze_overrides_status_idx', ['status', 'to'])
@Index('freeze_overrides_freeze_idx', ['freezeId', 'status'])
export class FreezeOverrideView implements FreezeOverrideRow {
  @PrimaryColumn({ name: 'override_id', type: 'text' }) overrideId!: string;
  @Column({ name: 'freeze_id', type: 'text' }) freezeId!: string;
  @Column({ type: 'jsonb' }) scope!: CalendarScope;
  @Column({ name: 'from_at', type: 'text' }) from!: string;
  @Column({ name: 'to_at', type: 'text' }) to!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'text' }) status!: FreezeOverrideViewStatus;
  @Column({ name: 'requested_by', type: 'text' }) requestedBy!: string;
  @Column({ name: 'requested_at', type: 'text' }) requestedAt!: string;
  @Column({ name: 'required_approvals', type: 'integer' }) requiredApprovals!: number;
  @Column({ name: 'approval_rule', type: 'text' }) approvalRule!: string;
  @Column({ name: 'policy_version', type: 'text' }) policyVersion!: string;
  @Column({ type: 'jsonb' }) approvals!: OverrideApproval[];
  @Column({ name: 'activated_at', type: 'text', nullable: true }) activatedAt!: string | null;
  @Column({ name: 'rejected_at', type: 'text', nullable: true }) rejectedAt!: string | null;
  @Column({ name: 'revoked_at', type: 'text', nullable: true }) revokedAt!: string | null;
  @Column({ name: 'expired_at', type: 'text', nullable: true }) expiredAt!: string | null;
  @Column({ name: 'ended_by', type: 'text', nullable: true }) endedBy!: string | null;
  @Column({ name: 'end_reason', type: 'text', nullable: true }) endReason!: string | null;
  @Column({ type: 'jsonb' }) uses!: (OverrideUse & { usedBy: string; recordedAt: string })[];
  @Column({ name: 'use_count', type: 'integer' }) useCount!: number;
  @Column({ type: 'integer' }) version!: number;
}
