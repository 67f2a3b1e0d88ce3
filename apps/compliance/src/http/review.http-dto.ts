import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ReviewSignOffDto {
  @ApiProperty() signer!: string;
  @ApiProperty({ example: 'approver' }) role!: string;
  @ApiProperty({ example: '2031-05-04T09:00:00.000Z' }) signedAt!: string;
}

export class DeploymentDecisionDto {
  @ApiProperty() deployer!: string;
  @ApiProperty() allowed!: boolean;
  @ApiPropertyOptional({ nullable: true, example: 'sod-approver-cannot-deploy' }) rule!:
    string | null;
  @ApiPropertyOptional({ nullable: true }) reason!: string | null;
  @ApiProperty() decidedAt!: string;
}

export class ReviewDto {
  @ApiProperty({ example: 'W-42' }) workloadId!: string;
  @ApiProperty({ enum: ['change', 'retrospective'] }) kind!: string;
  @ApiProperty({ enum: ['Open', 'Approved', 'Overdue', 'Closed'] }) status!: string;
  @ApiPropertyOptional({ nullable: true }) title!: string | null;
  @ApiProperty({ description: "the change's author, or who requested the emergency patch" })
  author!: string;
  @ApiProperty({ type: [String], example: ['pii'] }) dataClasses!: string[];
  @ApiProperty({ example: '1.0.0' }) policyVersion!: string;
  @ApiProperty() requiredSignOffs!: number;
  @ApiProperty({ type: [String] }) allowedRoles!: string[];
  @ApiProperty({ type: [ReviewSignOffDto] }) signOffs!: ReviewSignOffDto[];
  @ApiPropertyOptional({ type: DeploymentDecisionDto, nullable: true })
  lastDeployment!: DeploymentDecisionDto | null;
  @ApiPropertyOptional({ nullable: true }) releaseId!: string | null;
  @ApiPropertyOptional({ nullable: true }) dueAt!: string | null;
  @ApiPropertyOptional({ nullable: true }) findings!: string | null;
  @ApiPropertyOptional({ nullable: true }) closedBy!: string | null;
  @ApiProperty() openedAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ReviewPageDto {
  @ApiProperty({ type: [ReviewDto] }) items!: ReviewDto[];
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;
}

export class WorkloadReviewsDto {
  @ApiProperty({ type: [ReviewDto] }) reviews!: ReviewDto[];
}
