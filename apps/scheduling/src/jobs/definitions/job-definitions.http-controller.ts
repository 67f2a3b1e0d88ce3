import { withoutVersion } from '../../http/without-version';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ValidationError } from '@trainyard/kernel';
import {
  ApiProblemResponses,
  CommandContexts,
  ConsumesBody,
  RequirePermission,
} from '@trainyard/platform';
import { JobDefinitionQueries, jobName } from './job-definition.queries';
import { JobDefinitionUseCases } from './job-definition.use-cases';
import {
  ApplyManifestResultDto,
  ApproveManifestDto,
  DeprecateJobDto,
  JOB_STATUS_QUERY,
  JobChangeResultDto,
  JobDefinitionDto,
  JobDefinitionPageDto,
  JobManifestVersionPageDto,
  ManifestDiffDto,
  ManifestValidationDto,
  ReinstateJobDto,
  RollBackJobDto,
} from './job-definitions.http-dto';
import {
  HTTP_FIELDS,
  MANIFEST_TYPES,
  applyView,
  diffView,
  intParam,
  objectBody,
  readManifestText,
  single,
  textField,
  versionView,
  type HttpRequest,
  type QueryValue,
} from './job-definitions.http-mapping';

/**
 * REST for job definitions, the same semantics as JobDefinitionService: a manifest is the request
 * body (YAML as application/yaml or text/plain, or JSON); 400 names the field, 403 the missing
 * permission, 404 an unknown job or version, 409 a refused rule (`rule`).
 */
@ApiTags('job definitions')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/scheduling/jobs')
export class JobDefinitionsHttpController {
  constructor(
    private readonly useCases: JobDefinitionUseCases,
    private readonly queries: JobDefinitionQueries,
    private readonly contexts: CommandContexts,
  ) {}

  private async answer(name: string, changed: boolean) {
    return { job: withoutVersion(await this.queries.get(name)), changed };
  }

  @Post('validate')
  @HttpCode(200)
  @RequirePermission('scheduling:read')
  @ApiOperation({
    summary: 'Validates a manifest as applying it would, with no state',
    description:
      'The normalised manifest and its digest, or 400 naming the first problem (the detail lists the others).',
  })
  @ConsumesBody(...MANIFEST_TYPES)
  @ApiBody({ schema: { type: 'string' }, description: 'the manifest, YAML or JSON' })
  @ApiOkResponse({ type: ManifestValidationDto })
  async validate(@Req() request: HttpRequest) {
    const { manifest, digest } = this.useCases.validate(await readManifestText(request));
    return { name: manifest.name, digest, manifest };
  }

  @Post('diff')
  @HttpCode(200)
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: 'What applying a manifest would change in the running version' })
  @ConsumesBody(...MANIFEST_TYPES)
  @ApiBody({ schema: { type: 'string' } })
  @ApiOkResponse({ type: ManifestDiffDto })
  async diff(@Req() request: HttpRequest) {
    return diffView(await this.useCases.diff(await readManifestText(request)));
  }

  @Post()
  @HttpCode(200)
  @RequirePermission('scheduling:jobs:write')
  @ApiOperation({
    summary: 'Applies a manifest: a new running version, or a proposal awaiting approval',
    description:
      'A change affecting production waits for approval by someone other than its author (outcome proposed). The same manifest again changes nothing (outcome unchanged). 409 job-proposal-pending while another change awaits approval.',
  })
  @ConsumesBody(...MANIFEST_TYPES)
  @ApiBody({ schema: { type: 'string' } })
  @ApiOkResponse({ type: ApplyManifestResultDto })
  @ApiProblemResponses(409)
  async apply(@Req() request: HttpRequest) {
    const text = await readManifestText(request);
    const { name, outcome, event } = await this.useCases.apply(
      text,
      this.contexts.forHttp(request, ''),
    );
    return applyView(outcome, withoutVersion(await this.queries.get(name)), event);
  }

  @Post(':name/approve')
  @HttpCode(200)
  @RequirePermission('scheduling:jobs:approve')
  @ApiOperation({
    summary: "Approves the pending proposal (never the author's own: 409 job-change-four-eyes)",
  })
  @ApiParam({ name: 'name' })
  @ApiBody({ type: ApproveManifestDto })
  @ApiOkResponse({ type: JobChangeResultDto })
  @ApiProblemResponses(404, 409)
  async approve(@Param('name') name: string, @Body() body: unknown, @Req() request: HttpRequest) {
    const b = objectBody(body);
    const digest = textField(b, 'digest', true) ?? '';
    const reason = textField(b, 'reason', false);
    const { changed } = await this.useCases.handle(
      'ApproveJobManifest',
      { name: jobName(name), digest },
      this.contexts.forHttp(request, reason),
    );
    return this.answer(name, changed);
  }

  @Post(':name/rollback')
  @HttpCode(200)
  @RequirePermission('scheduling:jobs:write')
  @ApiOperation({ summary: 'Makes an earlier version running again, as a new version' })
  @ApiParam({ name: 'name' })
  @ApiBody({ type: RollBackJobDto })
  @ApiOkResponse({ type: JobChangeResultDto })
  @ApiProblemResponses(404)
  async rollBack(@Param('name') name: string, @Body() body: unknown, @Req() request: HttpRequest) {
    const b = objectBody(body);
    const toVersion = b['toVersion'];
    if (typeof toVersion !== 'number' || !Number.isSafeInteger(toVersion))
      throw new ValidationError('toVersion', 'toVersion must be a version number from 1.');
    const { changed } = await this.useCases.handle(
      'RollBackJobManifest',
      { name: jobName(name), toVersion },
      this.contexts.forHttp(request, textField(b, 'reason', false)),
    );
    return this.answer(name, changed);
  }

  @Post(':name/deprecate')
  @HttpCode(200)
  @RequirePermission('scheduling:jobs:write')
  @ApiOperation({ summary: 'Stops scheduling a job (it stays defined with every version)' })
  @ApiParam({ name: 'name' })
  @ApiBody({ type: DeprecateJobDto })
  @ApiOkResponse({ type: JobChangeResultDto })
  @ApiProblemResponses(404)
  async deprecate(@Param('name') name: string, @Body() body: unknown, @Req() request: HttpRequest) {
    const reason = textField(objectBody(body), 'reason', true) ?? '';
    const { changed } = await this.useCases.handle(
      'DeprecateJob',
      { name: jobName(name), reason },
      this.contexts.forHttp(request, reason),
    );
    return this.answer(name, changed);
  }

  @Post(':name/reinstate')
  @HttpCode(200)
  @RequirePermission('scheduling:jobs:write')
  @ApiOperation({ summary: 'Schedules a deprecated job again' })
  @ApiParam({ name: 'name' })
  @ApiBody({ type: ReinstateJobDto })
  @ApiOkResponse({ type: JobChangeResultDto })
  @ApiProblemResponses(404)
  async reinstate(@Param('name') name: string, @Body() body: unknown, @Req() request: HttpRequest) {
    const reason = textField(objectBody(body), 'reason', false);
    const { changed } = await this.useCases.handle(
      'ReinstateJob',
      { name: jobName(name), ...(reason ? { reason } : {}) },
      this.contexts.forHttp(request, reason),
    );
    return this.answer(name, changed);
  }

  @Get()
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: 'Job definitions by name' })
  @ApiQuery({ name: 'owner', required: false, description: "only this team's jobs" })
  @ApiQuery(JOB_STATUS_QUERY)
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number, description: '1..200, default 50' })
  @ApiOkResponse({ type: JobDefinitionPageDto })
  async list(
    @Query('owner') owner?: QueryValue,
    @Query('status') status?: QueryValue,
    @Query('page') page?: QueryValue,
    @Query('pageSize') pageSize?: QueryValue,
  ) {
    const result = await this.queries.list(
      {
        owner: single('owner', owner),
        status: single('status', status),
        page: intParam('page', page),
        pageSize: intParam('pageSize', pageSize),
      },
      HTTP_FIELDS,
    );
    return { ...result, items: result.items.map(withoutVersion) };
  }

  @Get(':name')
  @RequirePermission('scheduling:read')
  @ApiOperation({
    summary: 'One job definition: its running manifest, deprecation, pending proposal',
  })
  @ApiParam({ name: 'name' })
  @ApiOkResponse({ type: JobDefinitionDto })
  @ApiProblemResponses(404)
  async get(@Param('name') name: string) {
    return withoutVersion(await this.queries.get(name));
  }

  @Get(':name/versions')
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: "A job's versions, newest first" })
  @ApiParam({ name: 'name' })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number })
  @ApiOkResponse({ type: JobManifestVersionPageDto })
  @ApiProblemResponses(404)
  async versions(
    @Param('name') name: string,
    @Query('page') page?: QueryValue,
    @Query('pageSize') pageSize?: QueryValue,
  ) {
    const result = await this.queries.versions(
      name,
      { page: intParam('page', page), pageSize: intParam('pageSize', pageSize) },
      HTTP_FIELDS,
    );
    return { ...result, items: result.items.map(versionView) };
  }
}
