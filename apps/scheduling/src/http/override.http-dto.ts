import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  FREEZE_OVERRIDE_VIEW_STATUSES,
  OVERRIDE_REVIEW_VIEW_STATUSES,
} from '@trainyard/scheduling-read-models';
import { OVERRIDE_REVIEW_OUTCOMES } from '@trainyard/scheduling-domain';

export class OverrideScopeDto {
  @ApiPropertyOptional({ type: [String] }) trains?: string[];
  @ApiPropertyOptional({ type: [String] }) teams?: string[];
  @ApiPropertyOptional({ type: [String] }) environments?: string[];
  @ApiPropertyOptional({ type: [String] }) components?: string[];
}

export class OverrideApprovalDto {
  @ApiProperty() approvedBy!: string;
  @ApiProperty({ example: '2031-05-04T09:20:00.000Z' }) approvedAt!: string;
}

export class OverrideUseDto {
  @ApiProperty() deploymentId!: string;
  @ApiProperty() start!: string;
  @ApiProperty() end!: string;
  @ApiProperty({ type: OverrideScopeDto }) scope!: OverrideScopeDto;
  @ApiProperty() usedBy!: string;
  @ApiProperty() recordedAt!: string;
}

export class FreezeOverrideDto {
  @ApiProperty() overrideId!: string;
  @ApiProperty() freezeId!: string;
  @ApiProperty({ type: OverrideScopeDto }) scope!: OverrideScopeDto;
  @ApiProperty({ description: 'UTC start, inclusive' }) from!: string;
  @ApiProperty({ description: 'UTC end, exclusive: the override stops here by itself' })
  to!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ enum: FREEZE_OVERRIDE_VIEW_STATUSES, description: 'as recorded' })
  status!: string;
  @ApiProperty({ description: 'time-based: lifts its freeze at the instant of the answer' })
  activeNow!: boolean;
  @ApiProperty() requestedBy!: string;
  @ApiProperty() requestedAt!: string;
  @ApiProperty() requiredApprovals!: number;
  @ApiProperty({ description: 'the policy rule that set requiredApprovals, or default' })
  approvalRule!: string;
  @ApiProperty() policyVersion!: string;
  @ApiProperty({ type: [OverrideApprovalDto] }) approvals!: OverrideApprovalDto[];
  @ApiProperty({ nullable: true, type: String }) activatedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) rejectedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) expiredAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) endedBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) endReason!: string | null;
  @ApiProperty({ type: [OverrideUseDto] }) uses!: OverrideUseDto[];
  @ApiProperty() useCount!: number;
}

export class OverrideReviewDto {
  @ApiProperty() overrideId!: string;
  @ApiProperty() freezeId!: string;
  @ApiProperty() requestedBy!: string;
  @ApiProperty({ enum: ['expired', 'revoked'] }) trigger!: string;
  @ApiProperty({ enum: OVERRIDE_REVIEW_VIEW_STATUSES }) status!: string;
  @ApiProperty() openedAt!: string;
  @ApiProperty() dueAt!: string;
  @ApiProperty({ description: 'open and past its due time at the instant of the answer' })
  overdue!: boolean;
  @ApiProperty() useCount!: number;
  @ApiProperty({ nullable: true, enum: OVERRIDE_REVIEW_OUTCOMES }) outcome!: string | null;
  @ApiProperty({ nullable: true, type: String }) notes!: string | null;
  @ApiProperty({ nullable: true, type: String }) closedBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) closedAt!: string | null;
  @ApiProperty({ nullable: true, type: Boolean }) late!: boolean | null;
}

export class FreezeOverridePageDto {
  @ApiProperty({ type: [FreezeOverrideDto] }) items!: FreezeOverrideDto[];
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;
}

export class OverrideReviewPageDto {
  @ApiProperty({ type: [OverrideReviewDto] }) items!: OverrideReviewDto[];
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;
}
