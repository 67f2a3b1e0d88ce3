import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, RequirePermission } from '@trainyard/platform';
import { ComplianceQueries, EVALUATION_RESULTS } from '../application/compliance.queries';
import { EvaluationUseCases } from '../application/evaluation.use-cases';
import {
  EvaluationDto,
  EvaluationPageDto,
  PolicyPageDto,
  PolicyVersionPageDto,
  ReplayDto,
} from './compliance.http-dto';
import { intParam, textParam } from './http-params';

/** REST read models: policies and their versions, evaluations with explanations, replays. */
@ApiTags('compliance')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/compliance')
export class ComplianceHttpController {
  constructor(
    private readonly queries: ComplianceQueries,
    private readonly evaluations: EvaluationUseCases,
  ) {}

  @Get('policies')
  @RequirePermission('compliance:read')
  @ApiOperation({ summary: 'Policies with their active and latest versions' })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number, description: '1..200, default 50' })
  @ApiOkResponse({ type: PolicyPageDto })
  listPolicies(@Query('page') page?: unknown, @Query('pageSize') pageSize?: unknown) {
    return this.queries.policies({
      page: intParam('page', page),
      pageSize: intParam('pageSize', pageSize),
    });
  }

  @Get('policies/:id/versions')
  @RequirePermission('compliance:read')
  @ApiOperation({ summary: "A policy's versions, oldest first, with rules and review" })
  @ApiParam({ name: 'id' })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number })
  @ApiOkResponse({ type: PolicyVersionPageDto })
  @ApiProblemResponses(404)
  listVersions(
    @Param('id') id: string,
    @Query('page') page?: unknown,
    @Query('pageSize') pageSize?: unknown,
  ) {
    return this.queries.versions(id, {
      page: intParam('page', page),
      pageSize: intParam('pageSize', pageSize),
    });
  }

  @Get('evaluations')
  @RequirePermission('compliance:read')
  @ApiOperation({ summary: 'Evaluations, newest first, with rule-by-rule explanations' })
  @ApiQuery({ name: 'subjectType', required: false })
  @ApiQuery({ name: 'subjectId', required: false })
  @ApiQuery({ name: 'result', required: false, enum: EVALUATION_RESULTS })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number })
  @ApiOkResponse({ type: EvaluationPageDto })
  listEvaluations(
    @Query('subjectType') subjectType?: unknown,
    @Query('subjectId') subjectId?: unknown,
    @Query('result') result?: unknown,
    @Query('page') page?: unknown,
    @Query('pageSize') pageSize?: unknown,
  ) {
    return this.queries.evaluations({
      subjectType: textParam('subjectType', subjectType),
      subjectId: textParam('subjectId', subjectId),
      result: textParam('result', result),
      page: intParam('page', page),
      pageSize: intParam('pageSize', pageSize),
    });
  }

  @Get('evaluations/:id')
  @RequirePermission('compliance:read')
  @ApiOperation({
    summary: 'One evaluation: facts, bundle and evaluator versions, result, explanation',
  })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: EvaluationDto })
  @ApiProblemResponses(404)
  getEvaluation(@Param('id') id: string) {
    return this.queries.evaluation(id);
  }

  @Get('evaluations/:id/replay')
  @RequirePermission('compliance:read')
  @ApiOperation({
    summary:
      'Re-evaluates the recorded facts under the bundle version of its day and shows whether the answer is equal',
  })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: ReplayDto })
  @ApiProblemResponses(404)
  async replay(@Param('id') id: string) {
    const { row, replay } = await this.evaluations.replay(id);
    return {
      equal: replay.equal,
      original: row,
      replayed: replay.replayed,
      differences: replay.differences,
    };
  }
}
