import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { NotFoundError, ValidationError } from '@trainyard/kernel';
import { ApiProblemResponses, RequirePermission } from '@trainyard/platform';
import { DeploymentQueries, MAX_PAGE_SIZE } from '../application/deployment.queries';
import { DeploymentPageDto, DurationPageDto, WavePageDto } from './deployments.http-dto';

type QueryValue = string | string[] | undefined;

const single = (field: string, value: QueryValue): string | undefined => {
  if (Array.isArray(value)) throw new ValidationError(field, `${field} must be given once.`);
  return value === '' ? undefined : value;
};

const wholeNumber = (field: string, value: QueryValue): number | undefined => {
  const text = single(field, value);
  if (text === undefined) return undefined;
  if (!/^\d{1,6}$/.test(text))
    throw new ValidationError(field, `${field} must be a whole number; got ${text}.`);
  return Number(text);
};

const paging = (page: QueryValue, pageSize: QueryValue) => {
  const p = wholeNumber('page', page);
  const s = wholeNumber('pageSize', pageSize);
  return { ...(p === undefined ? {} : { page: p }), ...(s === undefined ? {} : { pageSize: s }) };
};

const pageQueries = () => (target: object, key: string, descriptor: PropertyDescriptor) => {
  ApiQuery({ name: 'page', required: false, type: Number })(target, key, descriptor);
  ApiQuery({
    name: 'pageSize',
    required: false,
    type: Number,
    description: `1..${MAX_PAGE_SIZE}, default 50`,
  })(target, key, descriptor);
};

/** REST read models of placement: the deployment calendar, a release's waves, durations. */
@ApiTags('scheduling')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/scheduling')
export class DeploymentsHttpController {
  constructor(private readonly queries: DeploymentQueries) {}

  @Get('deployments')
  @RequirePermission('scheduling:read')
  @ApiOperation({
    summary: 'The deployment calendar: one row per scheduled deployment, earliest first',
    description:
      'Each row: release, workload, team, environment, components, wave, start and end (UTC), expected duration and its basis, status, and every earlier candidate slot with the reason it was rejected. `from`/`to` (RFC 3339) select the deployments whose slot overlaps [from, to).',
  })
  @ApiQuery({ name: 'from', required: false, example: '2026-12-07T00:00:00Z' })
  @ApiQuery({ name: 'to', required: false, example: '2026-12-14T00:00:00Z' })
  @ApiQuery({ name: 'release', required: false })
  @ApiQuery({ name: 'team', required: false })
  @pageQueries()
  @ApiOkResponse({ type: DeploymentPageDto })
  deployments(
    @Query('from') from: QueryValue,
    @Query('to') to: QueryValue,
    @Query('release') release: QueryValue,
    @Query('team') team: QueryValue,
    @Query('page') page: QueryValue,
    @Query('pageSize') pageSize: QueryValue,
  ) {
    const f = single('from', from);
    const t = single('to', to);
    const r = single('release', release);
    const m = single('team', team);
    return this.queries.listDeployments({
      ...(f === undefined ? {} : { from: f }),
      ...(t === undefined ? {} : { to: t }),
      ...(r === undefined ? {} : { releaseId: r }),
      ...(m === undefined ? {} : { team: m }),
      ...paging(page, pageSize),
    });
  }

  @Get('releases/:id/waves')
  @RequirePermission('scheduling:read')
  @ApiProblemResponses(404)
  @ApiOperation({
    summary: "A release's waves per environment, in deployment order, each with its deployments",
  })
  @ApiParam({ name: 'id', description: 'release id' })
  @pageQueries()
  @ApiOkResponse({ type: WavePageDto })
  async waves(
    @Param('id') id: string,
    @Query('page') page: QueryValue,
    @Query('pageSize') pageSize: QueryValue,
  ) {
    const waves = await this.queries.waves(id, paging(page, pageSize));
    if (!waves) throw new NotFoundError('deployment plan', id);
    return waves;
  }

  @Get('durations')
  @RequirePermission('scheduling:read')
  @ApiOperation({
    summary: 'Expected durations and their variance per workload type',
    description:
      'Per workload type (planning change type): finished samples, the expected duration slots use now (the policy percentile of recent actuals, or the configured default before the minimum sample count), p50/p90 of actuals and the mean of actual − expected.',
  })
  @ApiQuery({ name: 'workloadType', required: false, example: 'defect-fix' })
  @pageQueries()
  @ApiOkResponse({ type: DurationPageDto })
  durations(
    @Query('workloadType') workloadType: QueryValue,
    @Query('page') page: QueryValue,
    @Query('pageSize') pageSize: QueryValue,
  ) {
    const type = single('workloadType', workloadType);
    return this.queries.durations({
      ...(type === undefined ? {} : { workloadType: type }),
      ...paging(page, pageSize),
    });
  }

  @Get('durations/deployments')
  @RequirePermission('scheduling:read')
  @ApiOperation({
    summary: 'Expected against actual per finished deployment, most recent first',
  })
  @ApiQuery({ name: 'workloadType', required: false })
  @pageQueries()
  @ApiOkResponse({ type: DeploymentPageDto })
  deploymentDurations(
    @Query('workloadType') workloadType: QueryValue,
    @Query('page') page: QueryValue,
    @Query('pageSize') pageSize: QueryValue,
  ) {
    const type = single('workloadType', workloadType);
    return this.queries.deploymentDurations({
      ...(type === undefined ? {} : { workloadType: type }),
      ...paging(page, pageSize),
    });
  }
}
