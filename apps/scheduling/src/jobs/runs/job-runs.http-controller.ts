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
import { ApiProblemResponses, CommandContexts, RequirePermission } from '@trainyard/platform';
import { RUN_STATES } from '../runtime/job-run.queries';
import { JobRunUseCases, type RunFieldNames } from './job-run.use-cases';
import {
  CancelRunBodyDto,
  CancelRunResultDto,
  JobRunDto,
  JobRunPageDto,
  TaskRunListDto,
  TriggerRunBodyDto,
  TriggerRunResultDto,
} from './job-runs.http-dto';
import { runOut, taskRunOut } from './job-runs.mapping';

type QueryValue = string | string[] | undefined;
type HttpRequest = IncomingMessage & { body?: unknown };

const HTTP_FIELDS: RunFieldNames = { job: 'job', runId: 'runId', idempotencyKey: 'idempotencyKey' };

const single = (field: string, value: QueryValue): string | undefined => {
  if (Array.isArray(value)) throw new ValidationError(field, `${field} must be given once`);
  return value === '' ? undefined : value;
};

const objectBody = (body: unknown): Record<string, unknown> => {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('body', 'body must be a JSON object');
  return body as Record<string, unknown>;
};

const textField = (body: Record<string, unknown>, field: string): string | undefined => {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ValidationError(field, `${field} must be a string`);
  return value;
};

/**
 * REST for job runs, the semantics of JobRunService: 400 names the field, 403 the missing
 * permission, 404 an unknown job or run, 429 with Retry-After when admission control refuses.
 */
@ApiTags('job runs')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/scheduling/runs')
export class JobRunsHttpController {
  constructor(
    private readonly runs: JobRunUseCases,
    private readonly contexts: CommandContexts,
  ) {}

  @Post()
  @HttpCode(200)
  @RequirePermission('scheduling:runs:operate')
  @ApiOperation({
    summary: "Triggers a manual run of the job's running manifest",
    description: 'The same idempotencyKey again answers the same run (created false).',
  })
  @ApiBody({ type: TriggerRunBodyDto })
  @ApiOkResponse({ type: TriggerRunResultDto })
  @ApiProblemResponses(404, 429)
  async trigger(@Body() body: unknown, @Req() request: HttpRequest) {
    const b = objectBody(body);
    const job = textField(b, 'job') ?? '';
    const idempotencyKey = textField(b, 'idempotencyKey');
    const reason = textField(b, 'reason') ?? '';
    const { runId, created, run } = await this.runs.trigger(
      { job, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) },
      this.contexts.forHttp(request, reason),
      HTTP_FIELDS,
    );
    return { runId, created, run: runOut(run) };
  }

  @Post(':runId/cancel')
  @HttpCode(200)
  @RequirePermission('scheduling:runs:operate')
  @ApiOperation({ summary: 'Cancels a run (a finished run changes nothing: changed false)' })
  @ApiParam({ name: 'runId' })
  @ApiBody({ type: CancelRunBodyDto, required: false })
  @ApiOkResponse({ type: CancelRunResultDto })
  @ApiProblemResponses(404)
  async cancel(@Param('runId') runId: string, @Body() body: unknown, @Req() request: HttpRequest) {
    const reason = textField(objectBody(body), 'reason') ?? '';
    const { changed, run } = await this.runs.cancel(
      runId,
      this.contexts.forHttp(request, reason),
      HTTP_FIELDS,
    );
    return { changed, run: runOut(run) };
  }

  @Get()
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: 'Runs, newest nominal time first (keyset pages)' })
  @ApiQuery({ name: 'job', required: false })
  @ApiQuery({ name: 'state', required: false, enum: RUN_STATES })
  @ApiQuery({
    name: 'from',
    required: false,
    description: 'nominal time from (RFC 3339, inclusive)',
  })
  @ApiQuery({ name: 'to', required: false, description: 'nominal time to (RFC 3339, exclusive)' })
  @ApiQuery({ name: 'pageSize', required: false, type: Number })
  @ApiQuery({ name: 'pageToken', required: false })
  @ApiOkResponse({ type: JobRunPageDto })
  async list(@Query() query: Record<string, QueryValue>) {
    for (const key of Object.keys(query))
      if (!['job', 'state', 'from', 'to', 'pageSize', 'pageToken'].includes(key))
        throw new ValidationError(key, `${key.slice(0, 60)} is not a query parameter of this list`);
    const pageSizeText = single('pageSize', query.pageSize);
    if (pageSizeText !== undefined && !/^\d{1,7}$/.test(pageSizeText))
      throw new ValidationError('pageSize', `pageSize must be a whole number from 1 to 500`);
    const job = single('job', query.job);
    const state = single('state', query.state);
    const from = single('from', query.from);
    const to = single('to', query.to);
    const pageToken = single('pageToken', query.pageToken);
    const page = await this.runs.listRuns({
      ...(job !== undefined ? { job } : {}),
      ...(state !== undefined ? { state } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(pageSizeText !== undefined ? { pageSize: Number(pageSizeText) } : {}),
      ...(pageToken !== undefined ? { pageToken } : {}),
    });
    return {
      runs: page.runs.map(runOut),
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
    };
  }

  @Get(':runId')
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: 'A run with its task tree (dependency order) and timings' })
  @ApiParam({ name: 'runId' })
  @ApiOkResponse({ type: JobRunDto })
  @ApiProblemResponses(404)
  async get(@Param('runId') runId: string) {
    return runOut(await this.runs.getRun(runId, HTTP_FIELDS));
  }

  @Get(':runId/tasks')
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: 'The task runs of a run' })
  @ApiParam({ name: 'runId' })
  @ApiOkResponse({ type: TaskRunListDto })
  @ApiProblemResponses(404)
  async tasks(@Param('runId') runId: string) {
    return { tasks: (await this.runs.listTaskRuns(runId, HTTP_FIELDS)).map(taskRunOut) };
  }
}
