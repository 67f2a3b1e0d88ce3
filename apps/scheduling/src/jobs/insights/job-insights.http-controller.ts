import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ValidationError } from '@trainyard/kernel';
import { ApiProblemResponses, RequirePermission } from '@trainyard/platform';
import { withoutVersion } from '../../http/without-version';
import type { InsightFieldNames } from './job-insight.params';
import { JobInsightQueries } from './job-insight.queries';
import {
  JobStatsDto,
  JobStatsPageDto,
  PoolUsageDto,
  RunTimelineDto,
  TeamQueueDto,
  ZombieFindingDto,
} from './job-insights.http-dto';

type QueryValue = string | string[] | undefined;

const HTTP_FIELDS: InsightFieldNames = {
  job: 'job',
  team: 'team',
  runId: 'runId',
  sinceDays: 'sinceDays',
  days: 'days',
  page: 'page',
  pageSize: 'pageSize',
};

const single = (field: string, value: QueryValue): string | undefined => {
  if (Array.isArray(value)) throw new ValidationError(field, `${field} must be given once.`);
  return value;
};

const intParam = (field: string, value: QueryValue): number | undefined => {
  const text = single(field, value);
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new ValidationError(field, `${field} must be a whole number.`);
  return Number(text);
};

/** REST read models of batch jobs: `/api/scheduling/job-insights/…`, `scheduling:read`. */
@ApiTags('job insights')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/scheduling/job-insights')
export class JobInsightsHttpController {
  constructor(private readonly queries: JobInsightQueries) {}

  @Get('jobs')
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: 'Stats of every job (of one team), by job name' })
  @ApiQuery({ name: 'team', required: false })
  @ApiQuery({
    name: 'sinceDays',
    required: false,
    type: Number,
    description: '1..3650, default 30',
  })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number, description: '1..200, default 50' })
  @ApiOkResponse({ type: JobStatsPageDto })
  listJobStats(
    @Query('team') team?: QueryValue,
    @Query('sinceDays') sinceDays?: QueryValue,
    @Query('page') page?: QueryValue,
    @Query('pageSize') pageSize?: QueryValue,
  ) {
    return this.queries.listJobStats(
      {
        team: single('team', team),
        sinceDays: intParam('sinceDays', sinceDays),
        page: intParam('page', page),
        pageSize: intParam('pageSize', pageSize),
      },
      HTTP_FIELDS,
    );
  }

  @Get('jobs/:job')
  @RequirePermission('scheduling:read')
  @ApiOperation({
    summary: "One job's stats: durations p50/p95, failure rate, SLA misses, last success",
  })
  @ApiParam({ name: 'job' })
  @ApiQuery({
    name: 'sinceDays',
    required: false,
    type: Number,
    description: '1..3650, default 30',
  })
  @ApiOkResponse({ type: JobStatsDto })
  @ApiProblemResponses(404)
  getJobStats(@Param('job') job: string, @Query('sinceDays') sinceDays?: QueryValue) {
    return this.queries.getJobStats(
      { job, sinceDays: intParam('sinceDays', sinceDays) },
      HTTP_FIELDS,
    );
  }

  @Get('teams')
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: 'Queue depth and wait per team' })
  @ApiQuery({ name: 'team', required: false })
  @ApiQuery({
    name: 'sinceDays',
    required: false,
    type: Number,
    description: 'window of the wait percentiles, 1..3650, default 1',
  })
  @ApiOkResponse({ type: [TeamQueueDto] })
  teamQueues(@Query('team') team?: QueryValue, @Query('sinceDays') sinceDays?: QueryValue) {
    return this.queries.teamQueues(
      { team: single('team', team), sinceDays: intParam('sinceDays', sinceDays) },
      HTTP_FIELDS,
    );
  }

  @Get('zombies')
  @RequirePermission('scheduling:read')
  @ApiOperation({
    summary: 'Jobs with no successful or needed run in N days, or whose owner team is gone',
    description: 'A report only: deprecation is the jobs API (DeprecateJob).',
  })
  @ApiQuery({
    name: 'days',
    required: false,
    type: Number,
    description: '1..3650, default JOB_ZOMBIE_DAYS',
  })
  @ApiOkResponse({ type: [ZombieFindingDto] })
  zombies(@Query('days') days?: QueryValue) {
    return this.queries.zombies({ days: intParam('days', days) }, HTTP_FIELDS);
  }

  @Get('runs/:runId/timeline')
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: 'One run and its tasks as a tree, with timings, attempts and its SLA' })
  @ApiParam({ name: 'runId' })
  @ApiOkResponse({ type: RunTimelineDto })
  @ApiProblemResponses(404)
  async runTimeline(@Param('runId') runId: string) {
    const { run, sla, tasks } = await this.queries.runTimeline({ runId }, HTTP_FIELDS);
    return { run: withoutVersion(run), sla, tasks };
  }

  @Get('pools')
  @RequirePermission('scheduling:read')
  @ApiOperation({
    summary: 'Pool occupancy from the tasks’ fencing tokens (holders now, busy time in the window)',
  })
  @ApiQuery({ name: 'sinceDays', required: false, type: Number, description: '1..3650, default 1' })
  @ApiOkResponse({ type: [PoolUsageDto] })
  poolUsage(@Query('sinceDays') sinceDays?: QueryValue) {
    return this.queries.poolUsage({ sinceDays: intParam('sinceDays', sinceDays) }, HTTP_FIELDS);
  }
}
