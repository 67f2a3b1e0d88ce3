// OpenAPI shapes of the REST read models (documentation only: handlers return the rows as they are).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class PolicyRuleDto {
  @ApiProperty() id!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'CEL over `facts`, e.g. facts.approvals.size() >= 2' })
  expression!: string;
  @ApiProperty({ type: [String], description: 'e.g. SOC2:CC8.1, ISO27001:A.8.32' })
  controls!: string[];
  @ApiProperty({ enum: ['block', 'warn'] }) effect!: string;
  @ApiProperty({
    type: [String],
    description: 'workload-registered, scope-committed, access-requested, on-request',
  })
  triggers!: string[];
}

export class PolicyDto {
  @ApiProperty() policyId!: string;
  @ApiProperty() title!: string;
  @ApiPropertyOptional({ nullable: true, description: 'the version evaluations use' })
  activeVersion!: string | null;
  @ApiProperty() latestVersion!: string;
  @ApiProperty() versionCount!: number;
  @ApiProperty() updatedAt!: string;
}

export class PolicyVersionDto {
  @ApiProperty() policyId!: string;
  @ApiProperty() version!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: ['Proposed', 'Approved', 'Rejected'] }) status!: string;
  @ApiProperty({ type: [PolicyRuleDto] }) rules!: PolicyRuleDto[];
  @ApiProperty() proposedBy!: string;
  @ApiProperty() proposedAt!: string;
  @ApiPropertyOptional({ nullable: true }) decidedBy!: string | null;
  @ApiPropertyOptional({ nullable: true }) decidedAt!: string | null;
  @ApiPropertyOptional({ nullable: true }) reason!: string | null;
}

export class RuleExplanationDto {
  @ApiProperty() ruleId!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: ['block', 'warn'] }) effect!: string;
  @ApiProperty({ type: [String] }) controls!: string[];
  @ApiProperty({ enum: ['passed', 'failed', 'error'] }) outcome!: string;
  @ApiProperty({ description: 'which sub-expression decided, with the values it saw' })
  reason!: string;
  @ApiProperty({ type: [String], description: 'the deciding sub-expressions' })
  decidedBy!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: '{expression, value|error, operands, steps}',
  })
  trace!: object;
}

export class EvaluationDto {
  @ApiProperty() evaluationId!: string;
  @ApiProperty() subjectType!: string;
  @ApiProperty() subjectId!: string;
  @ApiProperty() trigger!: string;
  @ApiProperty() policyId!: string;
  @ApiProperty() bundleVersion!: string;
  @ApiProperty() evaluatorVersion!: string;
  @ApiProperty({ enum: ['allowed', 'blocked', 'warned'] }) result!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) facts!: object;
  @ApiProperty({ type: [RuleExplanationDto] }) explanation!: RuleExplanationDto[];
  @ApiPropertyOptional({ nullable: true }) causeEventId!: string | null;
  @ApiPropertyOptional({ nullable: true }) causeEventType!: string | null;
  @ApiProperty() evaluatedBy!: string;
  @ApiProperty() evaluatedAt!: string;
}

class PageDto {
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;
}

export class PolicyPageDto extends PageDto {
  @ApiProperty({ type: [PolicyDto] }) items!: PolicyDto[];
}

export class PolicyVersionPageDto extends PageDto {
  @ApiProperty({ type: [PolicyVersionDto] }) items!: PolicyVersionDto[];
}

export class EvaluationPageDto extends PageDto {
  @ApiProperty({ type: [EvaluationDto] }) items!: EvaluationDto[];
}

export class ReplayDto {
  @ApiProperty({ description: 'same result and explanation under the bundle version of its day' })
  equal!: boolean;
  @ApiProperty({ type: EvaluationDto }) original!: EvaluationDto;
  @ApiProperty({ type: 'object', additionalProperties: true }) replayed!: object;
  @ApiProperty({ type: [String] }) differences!: string[];
}
