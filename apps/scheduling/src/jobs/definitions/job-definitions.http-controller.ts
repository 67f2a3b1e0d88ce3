import { withoutVersion } from '../../http/without-version';
import type { IncomingMessage } from 'node:http';
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
import type { JobManifestChange } from '@trainyard/scheduling-domain';
import type { JobManifestVersionRow } from '@trainyard/scheduling-read-models';
import { JobDefinitionQueries, jobName, type JobQueryFieldNames } from './job-definition.queries';
import { JobDefinitionUseCases } from './job-definition.use-cases';
import { MAX_MANIFEST_BYTES } from './job-manifest-text';
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

type QueryValue = string | string[] | undefined;
type HttpRequest = IncomingMessage & { body?: unknown };

const HTTP_FIELDS: JobQueryFieldNames & { status: string; owner: string } = {
  page: 'page',
  pageSize: 'pageSize',
  status: 'status',
  owner: 'owner',
};

const single = (field: string, value: QueryValue): string | undefined => {
  if (Array.isArray(value)) throw new ValidationError(field, `${field} must be given once.`);
  return value === '' ? undefined : value;
};

const intParam = (field: string, value: QueryValue): number | undefined => {
  const text = single(field, value);
  if (text === undefined) return undefined;
  if (!/^\d{1,7}$/.test(text))
    throw new ValidationError(field, `${field} must be a whole number; got ${text.slice(0, 20)}.`);
  return Number(text);
};

const objectBody = (body: unknown): Record<string, unknown> => {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('body', 'body must be a JSON object.');
  return body as Record<string, unknown>;
};

const textField = (
  body: Record<string, unknown>,
  field: string,
  required: boolean,
): string | undefined => {
  const value = body[field];
  if (value === undefined || value === null || value === '') {
    if (required) throw new ValidationError(field, `${field} is required.`);
    return undefined;
  }
  if (typeof value !== 'string') throw new ValidationError(field, `${field} must be a string.`);
  return value;
};

const MANIFEST_TYPES = [
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/plain',
  'application/json',
];

const versionView = ({ jobVersion, ...row }: JobManifestVersionRow) => ({
  ...row,
  version: jobVersion,
});
const changesOf = (changes: readonly JobManifestChange[]) => changes;

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

  /** The body as manifest text: raw YAML read here (bounded), JSON as the body parser read it. */
  private async manifestText(request: HttpRequest): Promise<string> {
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (type === 'application/json') {
      if (request.body === undefined)
        throw new ValidationError('manifest', 'manifest is required.');
      return JSON.stringify(request.body);
    }
    if (!MANIFEST_TYPES.includes(type))
      throw new ValidationError(
        'content-type',
        `content-type must be one of ${MANIFEST_TYPES.join(', ')}; got ${JSON.stringify(type.slice(0, 60))}.`,
      );
    if (typeof request.body === 'string') return request.body;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buffer.byteLength;
      if (size > MAX_MANIFEST_BYTES)
        throw new ValidationError(
          'manifest',
          `manifest must be at most ${MAX_MANIFEST_BYTES} bytes of UTF-8.`,
        );
      chunks.push(buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

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
    const { manifest, digest } = this.useCases.validate(await this.manifestText(request));
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
    const d = await this.useCases.diff(await this.manifestText(request));
    return {
      name: d.name,
      digest: d.digest,
      runningVersion: d.runningVersion,
      runningDigest: d.runningDigest ?? null,
      changes: changesOf(d.changes),
      lines: d.lines,
      needsApproval: d.approvalReasons.length > 0,
      approvalReasons: d.approvalReasons,
      unchanged: d.unchanged,
      pendingDigest: d.pendingDigest ?? null,
    };
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
    const text = await this.manifestText(request);
    const { name, outcome, event } = await this.useCases.apply(
      text,
      this.contexts.forHttp(request, ''),
    );
    return {
      outcome,
      job: withoutVersion(await this.queries.get(name)),
      changes:
        event?.type === 'JobManifestApplied' || event?.type === 'JobManifestProposed'
          ? event.data.changes
          : [],
      approvalReasons: event?.type === 'JobManifestProposed' ? event.data.reasons : [],
    };
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
