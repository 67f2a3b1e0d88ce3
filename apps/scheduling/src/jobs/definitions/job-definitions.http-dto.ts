import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JOB_LIST_STATUSES } from './job-definition.queries';

export class ManifestChangeDto {
  @ApiProperty({ enum: ['added', 'removed', 'changed'] }) op!: string;
  @ApiProperty({ example: 'tasks[export].timeoutSeconds' }) path!: string;
  @ApiPropertyOptional({ description: 'the old value (removed, changed)' }) old?: unknown;
  @ApiPropertyOptional({ description: 'the new value (added, changed)' }) new?: unknown;
}

export class JobProposalDto {
  @ApiProperty() digest!: string;
  @ApiProperty({ type: Object, description: 'the normalised manifest' }) manifest!: unknown;
  @ApiProperty({ type: [ManifestChangeDto] }) changes!: ManifestChangeDto[];
  @ApiProperty({ type: [String], description: 'why it waits for approval' }) reasons!: string[];
  @ApiProperty({ description: 'the running version it was diffed against (0: none)' })
  baseVersion!: number;
  @ApiProperty() author!: string;
  @ApiProperty() proposedAt!: string;
}

export class JobDefinitionDto {
  @ApiProperty({ example: 'finance.ledger.month-end-close' }) name!: string;
  @ApiProperty() owner!: string;
  @ApiProperty({ enum: ['low', 'medium', 'high', 'critical'] }) criticality!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'null while the first version awaits approval',
  })
  runningVersion!: number | null;
  @ApiProperty({ nullable: true, type: String }) digest!: string | null;
  @ApiProperty({ nullable: true, type: Object, description: 'the running normalised manifest' })
  manifest!: unknown;
  @ApiProperty({ nullable: true, type: String }) author!: string | null;
  @ApiProperty({ nullable: true, type: String }) approvedBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) appliedAt!: string | null;
  @ApiProperty({ description: 'a deprecated job is not scheduled' }) deprecated!: boolean;
  @ApiProperty({ nullable: true, type: String }) deprecatedReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) deprecatedBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) deprecatedAt!: string | null;
  @ApiProperty({ nullable: true, type: JobProposalDto }) proposal!: JobProposalDto | null;
  @ApiProperty({ nullable: true, type: String }) proposalDigest!: string | null;
  @ApiProperty({ nullable: true, type: String }) proposedBy!: string | null;
  @ApiProperty() versionCount!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class JobDefinitionPageDto {
  @ApiProperty({ type: [JobDefinitionDto] }) items!: JobDefinitionDto[];
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;
}

export class JobManifestVersionDto {
  @ApiProperty() name!: string;
  @ApiProperty() version!: number;
  @ApiProperty() digest!: string;
  @ApiProperty({ type: Object }) manifest!: unknown;
  @ApiProperty() author!: string;
  @ApiProperty({ nullable: true, type: String }) approvedBy!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'the version a rollback restored' })
  rolledBackFrom!: number | null;
  @ApiProperty({ type: [ManifestChangeDto] }) changes!: ManifestChangeDto[];
  @ApiProperty() createdAt!: string;
}

export class JobManifestVersionPageDto {
  @ApiProperty({ type: [JobManifestVersionDto] }) items!: JobManifestVersionDto[];
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;
}

export class ManifestValidationDto {
  @ApiProperty() name!: string;
  @ApiProperty() digest!: string;
  @ApiProperty({ type: Object, description: 'the normalised manifest' }) manifest!: unknown;
}

export class ManifestDiffDto {
  @ApiProperty() name!: string;
  @ApiProperty() digest!: string;
  @ApiProperty({ description: '0: the job is new' }) runningVersion!: number;
  @ApiProperty({ nullable: true, type: String }) runningDigest!: string | null;
  @ApiProperty({ type: [ManifestChangeDto] }) changes!: ManifestChangeDto[];
  @ApiProperty({ type: [String], example: ['~ criticality: "high" → "critical"'] })
  lines!: string[];
  @ApiProperty({ description: 'applying it would wait for a second person' })
  needsApproval!: boolean;
  @ApiProperty({ type: [String] }) approvalReasons!: string[];
  @ApiProperty() unchanged!: boolean;
  @ApiProperty({ nullable: true, type: String }) pendingDigest!: string | null;
}

export class ApplyManifestResultDto {
  @ApiProperty({ enum: ['applied', 'proposed', 'unchanged'] }) outcome!: string;
  @ApiProperty({ type: JobDefinitionDto }) job!: JobDefinitionDto;
  @ApiProperty({ type: [ManifestChangeDto] }) changes!: ManifestChangeDto[];
  @ApiProperty({ type: [String] }) approvalReasons!: string[];
}

export class JobChangeResultDto {
  @ApiProperty({ type: JobDefinitionDto }) job!: JobDefinitionDto;
  @ApiProperty({ description: 'false when the call was a retry that changed nothing' })
  changed!: boolean;
}

export class ApproveManifestDto {
  @ApiProperty({ description: 'the digest of the proposal the approver reviewed' }) digest!: string;
  @ApiPropertyOptional() reason?: string;
}

export class RollBackJobDto {
  @ApiProperty({ minimum: 1 }) toVersion!: number;
  @ApiPropertyOptional() reason?: string;
}

export class DeprecateJobDto {
  @ApiProperty({ description: 'why the job is no longer scheduled' }) reason!: string;
}

export class ReinstateJobDto {
  @ApiPropertyOptional() reason?: string;
}

export const JOB_STATUS_QUERY = { name: 'status', required: false, enum: JOB_LIST_STATUSES };
