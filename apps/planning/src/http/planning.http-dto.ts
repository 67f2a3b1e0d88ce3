// OpenAPI shapes of the REST read models (documentation only: handlers return the rows as they are).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class ComponentDto {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['service', 'database', 'infrastructure'] }) kind!: string;
}

class ApiContractDto {
  @ApiProperty() api!: string;
  @ApiProperty() version!: string;
}

class SharedLibraryDto {
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'semantic version, e.g. 1.4.2' }) version!: string;
}

export class WorkloadDto {
  @ApiProperty() workloadId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() team!: string;
  @ApiProperty({ enum: ['backlog', 'planned', 'completed', 'withdrawn'] }) state!: string;
  @ApiProperty({ description: 'release train or independent track' }) trackId!: string;
  @ApiProperty({ enum: ['train', 'independent'] }) trackKind!: string;
  @ApiProperty({ description: 'change class decided by the policy' }) changeType!: string;
  @ApiProperty() classificationRule!: string;
  @ApiProperty() classificationExplanation!: string;
  @ApiProperty({ enum: ['low', 'medium', 'high'] }) riskTier!: string;
  @ApiProperty() approvalPath!: string;
  @ApiProperty({ type: [String] }) riskReasons!: string[];
  @ApiProperty() jobSize!: number;
  @ApiProperty() businessValue!: number;
  @ApiProperty() timeCriticality!: number;
  @ApiProperty() riskReduction!: number;
  @ApiProperty() costOfDelay!: number;
  @ApiProperty() wsjf!: number;
  @ApiProperty({ type: [String] }) dependsOn!: string[];
  @ApiProperty({ type: [ComponentDto] }) components!: ComponentDto[];
  @ApiProperty({ type: [String] }) regulatedData!: string[];
  @ApiProperty() schemaChange!: boolean;
  @ApiPropertyOptional({ type: ApiContractDto, nullable: true })
  apiContract!: ApiContractDto | null;
  @ApiProperty({ type: [SharedLibraryDto], description: 'shared libraries it ships with' })
  libraries!: SharedLibraryDto[];
  @ApiProperty({ type: [ApiContractDto], description: 'API versions its components call' })
  consumedApis!: ApiContractDto[];
  @ApiPropertyOptional({ type: String, nullable: true }) featureFlag!: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) severity!: number | null;
  @ApiPropertyOptional({ type: String, nullable: true }) linkedIncident!: string | null;
  @ApiProperty() policyVersion!: string;
  @ApiProperty() registeredBy!: string;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) releaseId!: string | null;
  @ApiProperty() deferralCount!: number;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) firstDeferredAt!:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) lastDeferredAt!:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) lastDeferralReason!: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) completedJobSize!: number | null;
  @ApiPropertyOptional({ type: String, nullable: true }) withdrawnReason!: string | null;
  @ApiProperty({ description: 'stream version this row reflects' }) version!: number;
  @ApiProperty({
    nullable: true,
    description:
      'Who asked for it (personal data): { subjectId, name }; name is "[erased]" after the subject\'s erasure',
  })
  requester!: { subjectId: string; name: string } | null;
}

class PageDto {
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;
}

export class WorkloadPageDto extends PageDto {
  @ApiProperty({ type: [WorkloadDto] }) items!: WorkloadDto[];
}

class TeamDeliveryDto {
  @ApiProperty() team!: string;
  @ApiProperty() completedJobSize!: number;
  @ApiProperty() unplannedJobSize!: number;
  @ApiProperty() plannedJobSize!: number;
}

class DeploymentStepDto {
  @ApiProperty() workloadId!: string;
  @ApiProperty() wave!: number;
}

class LibraryVersionUseDto {
  @ApiProperty() version!: string;
  @ApiProperty({ type: [String] }) workloadIds!: string[];
}

class SkewResolutionDto {
  @ApiProperty() version!: string;
  @ApiProperty({
    enum: ['align', 'backport'],
    description:
      'align: same major.minor line, take the newer patch; backport: older line gets the fixes as a patch release',
  })
  action!: string;
  @ApiProperty({ example: '1.2.x' }) line!: string;
  @ApiProperty({ type: [String] }) workloadIds!: string[];
  @ApiProperty() reason!: string;
}

class VersionSkewDto {
  @ApiProperty() library!: string;
  @ApiProperty({ description: 'newest version shipped in the release' }) target!: string;
  @ApiProperty({ type: [LibraryVersionUseDto] }) versions!: LibraryVersionUseDto[];
  @ApiProperty({ type: [String] }) teams!: string[];
  @ApiProperty({ type: [SkewResolutionDto] }) resolutions!: SkewResolutionDto[];
  @ApiProperty() reason!: string;
}

export class ReleaseDto {
  @ApiProperty() releaseId!: string;
  @ApiProperty() trainId!: string;
  @ApiProperty({ enum: ['train', 'emergency'] }) kind!: string;
  @ApiProperty({ enum: ['planning', 'scope-committed', 'released', 'cancelled'] }) status!: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) windowStart!:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) windowEnd!:
    string | null;
  @ApiProperty() capacityTotal!: number;
  @ApiProperty() capacityUsed!: number;
  @ApiProperty() deferredCount!: number;
  @ApiPropertyOptional({ type: String, nullable: true }) policyVersion!: string | null;
  @ApiProperty() plannedBy!: string;
  @ApiProperty({ format: 'date-time' }) plannedAt!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) committedBy!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) committedAt!:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) closedAt!:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) cancelReason!: string | null;
  @ApiProperty({ type: [String] }) negotiatedInclude!: string[];
  @ApiProperty({ type: [String] }) negotiatedExclude!: string[];
  @ApiProperty({ type: [DeploymentStepDto] }) deploymentOrder!: DeploymentStepDto[];
  @ApiProperty({ type: [TeamDeliveryDto], description: 'per team, once closed: velocity history' })
  delivered!: TeamDeliveryDto[];
  @ApiProperty({ type: [String] }) complianceAlerts!: string[];
  @ApiProperty({
    type: [VersionSkewDto],
    description: 'as committed: shared libraries shipped at more than one version',
  })
  versionSkews!: VersionSkewDto[];
  @ApiProperty() version!: number;
}

export class ReleasePageDto extends PageDto {
  @ApiProperty({ type: [ReleaseDto] }) items!: ReleaseDto[];
}

class ScopeItemDto {
  @ApiProperty() releaseId!: string;
  @ApiProperty() workloadId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() team!: string;
  @ApiPropertyOptional({ type: Number, nullable: true }) jobSize!: number | null;
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'job size, from the workload when the item has none',
  })
  resolvedJobSize!: number | null;
  @ApiPropertyOptional({ type: String, nullable: true }) changeType!: string | null;
  @ApiProperty({ enum: ['included', 'deferred', 'excluded'] }) decision!: string;
  @ApiProperty({ description: 'emergency patch or post-commit exception' }) unplanned!: boolean;
  @ApiProperty({ description: 'why allocation or the exception decided so' }) reason!: string;
  @ApiPropertyOptional({ type: Number, nullable: true }) order!: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) wsjf!: number | null;
  @ApiPropertyOptional({ type: String, nullable: true }) approver!: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) completedJobSize!: number | null;
}

export class ReleaseDetailDto extends ReleaseDto {
  @ApiProperty({ type: [ScopeItemDto] }) scope!: ScopeItemDto[];
  @ApiProperty() unplannedUsed!: number;
}

class DeferredWorkloadDto {
  @ApiProperty() workloadId!: string;
  @ApiProperty() deferralCount!: number;
  @ApiProperty() ageDays!: number;
  @ApiProperty() daysSinceFirstDeferral!: number;
  @ApiProperty() lastDeferralReason!: string;
}

class TeamBacklogHealthDto {
  @ApiProperty() team!: string;
  @ApiProperty() openWorkloads!: number;
  @ApiProperty() deferredWorkloads!: number;
  @ApiProperty() totalDeferrals!: number;
  @ApiProperty() maxDeferralCount!: number;
  @ApiProperty() oldestDeferredAgeDays!: number;
  @ApiProperty({ type: [DeferredWorkloadDto] }) deferred!: DeferredWorkloadDto[];
}

export class BacklogHealthPageDto extends PageDto {
  @ApiProperty({ format: 'date-time' }) asOf!: string;
  @ApiProperty() deferredWorkloads!: number;
  @ApiProperty({ type: [TeamBacklogHealthDto] }) items!: TeamBacklogHealthDto[];
}

class TeamDependencyDto {
  @ApiProperty() dependentTeam!: string;
  @ApiProperty() providerTeam!: string;
  @ApiProperty() edges!: number;
  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: { type: 'string' } },
    description: '[dependent, provider] workload ids',
  })
  pairs!: [string, string][];
  @ApiProperty() integrationTestingRequired!: boolean;
}

export class DependencyMatrixPageDto extends PageDto {
  @ApiProperty({ type: [String] }) teams!: string[];
  @ApiProperty() crossTeamEdges!: number;
  @ApiProperty({ type: 'array', items: { type: 'array', items: { type: 'string' } } })
  unresolved!: [string, string][];
  @ApiProperty({ type: [TeamDependencyDto] }) items!: TeamDependencyDto[];
}

class ApiVersionDto {
  @ApiProperty() api!: string;
  @ApiProperty() version!: string;
  @ApiProperty({ format: 'date-time' }) deprecatedAt!: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' })
  sunsetAt!: string | null;
  @ApiProperty() reason!: string;
  @ApiProperty() deprecatedBy!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
}

class DeprecationFlagDto {
  @ApiProperty({ description: 'the workload still consuming the version' }) consumer!: string;
  @ApiProperty() api!: string;
  @ApiProperty() version!: string;
  @ApiProperty({ enum: ['deprecated', 'past-sunset'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) deprecatedAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) sunsetAt?: string;
  @ApiProperty() daysPastDeprecation!: number;
  @ApiProperty() message!: string;
}

export class ApiDeprecationsPageDto extends PageDto {
  @ApiProperty({ type: [ApiVersionDto] }) versions!: ApiVersionDto[];
  @ApiProperty({ type: [DeprecationFlagDto] }) items!: DeprecationFlagDto[];
}
