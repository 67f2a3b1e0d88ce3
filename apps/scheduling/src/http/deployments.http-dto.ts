// OpenAPI shapes of the deployment calendar, waves and durations (documentation only).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class RejectedSlotDto {
  @ApiProperty({ example: '2026-12-07T08:00:00Z' }) start!: string;
  @ApiProperty({ example: '2026-12-07T08:30:00Z' }) end!: string;
  @ApiProperty({ example: 'freeze' }) rule!: string;
  @ApiProperty({ example: 'freeze F-1' }) party!: string;
}

export class DeploymentDto {
  @ApiProperty({ example: 'R-1:W-1:production' }) deploymentId!: string;
  @ApiProperty() releaseId!: string;
  @ApiProperty() trainId!: string;
  @ApiProperty() workloadId!: string;
  @ApiProperty() team!: string;
  @ApiProperty({ description: "planning's change type" }) workloadType!: string;
  @ApiProperty() environment!: string;
  @ApiProperty({ type: [String] }) components!: string[];
  @ApiPropertyOptional({ type: String, nullable: true }) owner!: string | null;
  @ApiProperty() wave!: number;
  @ApiProperty({ description: 'UTC' }) startAt!: string;
  @ApiProperty({ description: 'UTC' }) endAt!: string;
  @ApiProperty() expectedMinutes!: number;
  @ApiProperty({ enum: ['configured-default', 'observed-percentile'] }) expectedBasis!: string;
  @ApiProperty({ enum: ['scheduled', 'started', 'finished'] }) status!: string;
  @ApiProperty({
    type: [RejectedSlotDto],
    description: 'earlier candidate slots and why each was rejected',
  })
  rejected!: RejectedSlotDto[];
  @ApiPropertyOptional({ type: String, nullable: true }) rescheduleReason!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) startedAt!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) finishedAt!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) outcome!: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) actualMinutes!: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'actual − expected' })
  varianceMinutes!: number | null;
}

class PageDto {
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;
}

export class DeploymentPageDto extends PageDto {
  @ApiProperty({ type: [DeploymentDto] }) items!: DeploymentDto[];
}

class WaveDto {
  @ApiProperty() environment!: string;
  @ApiProperty() wave!: number;
  @ApiProperty() start!: string;
  @ApiProperty() end!: string;
  @ApiProperty({ type: [DeploymentDto] }) deployments!: DeploymentDto[];
}

export class WavePageDto extends PageDto {
  @ApiProperty({ type: [WaveDto] }) items!: WaveDto[];
}

class ExpectedDurationDto {
  @ApiProperty() workloadType!: string;
  @ApiProperty({ description: 'whole minutes, rounded up' }) minutes!: number;
  @ApiProperty({ enum: ['configured-default', 'observed-percentile'] }) basis!: string;
  @ApiProperty() samples!: number;
  @ApiProperty({ example: 90 }) percentile!: number;
  @ApiProperty() policyVersion!: string;
}

class DurationStatisticsDto {
  @ApiProperty() workloadType!: string;
  @ApiProperty() samples!: number;
  @ApiProperty({ type: ExpectedDurationDto }) expected!: ExpectedDurationDto;
  @ApiPropertyOptional({ type: Number, nullable: true }) p50Minutes!: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) p90Minutes!: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) meanActualMinutes!: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'mean of actual − expected' })
  meanVarianceMinutes!: number | null;
}

export class DurationPageDto extends PageDto {
  @ApiProperty({ type: [DurationStatisticsDto] }) items!: DurationStatisticsDto[];
}
