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
import { ApiProblemResponses, CommandContexts, RequirePermission } from '@trainyard/platform';
import {
  PlanningQueries,
  RELEASE_STATUSES,
  WORKLOAD_STATES,
  type FieldNames,
} from '../application/planning.queries';
import { RequesterNames } from '../application/requester-names';
import {
  ApiDeprecationsPageDto,
  BacklogHealthPageDto,
  DependencyMatrixPageDto,
  ReleaseDetailDto,
  ReleasePageDto,
  WorkloadPageDto,
} from './planning.http-dto';

const HTTP_FIELDS: FieldNames = {
  page: 'page',
  pageSize: 'pageSize',
  state: 'state',
  tier: 'tier',
  changeType: 'class',
  status: 'status',
};

/** A query parameter as a whole number, or a 400 naming it. */
const intParam = (field: string, value: string | undefined): number | undefined => {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value))
    throw new ValidationError(field, `${field} must be a whole number; got ${value}`);
  return Number(value);
};

/** Pages an in-memory list (reports computed at read time). */
const pageOf = <T>(
  all: readonly T[],
  pageParam: string | undefined,
  pageSizeParam: string | undefined,
) => {
  const page = intParam('page', pageParam) ?? 1;
  const pageSize = intParam('pageSize', pageSizeParam) ?? 50;
  if (page < 1) throw new ValidationError('page', 'page must be ≥ 1');
  if (pageSize < 1 || pageSize > 200)
    throw new ValidationError('pageSize', 'pageSize must be 1..200');
  return {
    items: all.slice((page - 1) * pageSize, page * pageSize),
    page,
    pageSize,
    total: all.length,
  };
};

/** REST read models for portals: releases, workloads, backlog health, team dependency matrix. */
@ApiTags('planning')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/planning')
export class PlanningHttpController {
  constructor(
    private readonly queries: PlanningQueries,
    private readonly contexts: CommandContexts,
    private readonly requesters: RequesterNames,
  ) {}

  @Get('releases')
  @RequirePermission('planning:read')
  @ApiOperation({ summary: 'Releases, newest window first' })
  @ApiQuery({ name: 'trainId', required: false })
  @ApiQuery({ name: 'status', required: false, enum: RELEASE_STATUSES })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number, description: '1..200, default 50' })
  @ApiOkResponse({ type: ReleasePageDto })
  listReleases(
    @Query('trainId') trainId?: string,
    @Query('status') status?: string,
    @Query('page') page?: string,
    @Query('pageSize') pageSize?: string,
  ) {
    return this.queries.listReleases(
      { trainId, status, page: intParam('page', page), pageSize: intParam('pageSize', pageSize) },
      HTTP_FIELDS,
    );
  }

  @Get('releases/:id')
  @RequirePermission('planning:read')
  @ApiOperation({ summary: 'One release: scope, capacity used and the reason for each workload' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: ReleaseDetailDto })
  @ApiProblemResponses(404)
  getRelease(@Param('id') id: string) {
    return this.queries.getRelease(id);
  }

  @Get('workloads')
  @RequirePermission('planning:read')
  @ApiOperation({ summary: 'Workloads, filterable by state, team, risk tier and change class' })
  @ApiQuery({ name: 'state', required: false, enum: WORKLOAD_STATES })
  @ApiQuery({ name: 'team', required: false })
  @ApiQuery({ name: 'tier', required: false, enum: ['low', 'medium', 'high'] })
  @ApiQuery({
    name: 'class',
    required: false,
    description: 'change type, e.g. net-new-feature, compliance-audit',
  })
  @ApiQuery({ name: 'track', required: false })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number })
  @ApiOkResponse({ type: WorkloadPageDto })
  async listWorkloads(
    @Query('state') state?: string,
    @Query('team') team?: string,
    @Query('tier') tier?: string,
    @Query('class') changeType?: string,
    @Query('track') trackId?: string,
    @Query('page') page?: string,
    @Query('pageSize') pageSize?: string,
  ) {
    const found = await this.queries.listWorkloads(
      {
        state,
        team,
        tier,
        changeType,
        trackId,
        page: intParam('page', page),
        pageSize: intParam('pageSize', pageSize),
      },
      HTTP_FIELDS,
    );
    // The requester's envelope never leaves as ciphertext: opened now, or `[erased]`.
    const requesters = await this.requesters.of(found.items);
    return {
      ...found,
      items: found.items.map((row, i) => ({ ...row, requester: requesters[i] ?? null })),
    };
  }

  @Get('backlog-health')
  @RequirePermission('planning:read')
  @ApiOperation({
    summary: 'Deferred backlog workloads by team with deferral count and age; items are teams',
  })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number })
  @ApiOkResponse({ type: BacklogHealthPageDto })
  async backlogHealth(@Query('page') page?: string, @Query('pageSize') pageSize?: string) {
    const health = await this.queries.backlogHealth(this.contexts.now());
    return {
      asOf: health.asOf,
      deferredWorkloads: health.deferredWorkloads,
      ...pageOf(health.teams, page, pageSize),
    };
  }

  @Get('dependency-matrix')
  @RequirePermission('planning:read')
  @ApiOperation({ summary: 'Team × team dependency matrix; items are the non-empty cells' })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number })
  @ApiOkResponse({ type: DependencyMatrixPageDto })
  async dependencyMatrix(@Query('page') page?: string, @Query('pageSize') pageSize?: string) {
    const matrix = await this.queries.dependencyMatrix();
    return {
      teams: matrix.teams,
      crossTeamEdges: matrix.crossTeamEdges,
      unresolved: matrix.unresolved,
      ...pageOf(matrix.cells, page, pageSize),
    };
  }

  @Get('api-deprecations')
  @RequirePermission('planning:read')
  @ApiOperation({
    summary:
      'Deprecated API versions with their timelines, and the open workloads still consuming them; items are those consumers',
  })
  @ApiQuery({ name: 'api', required: false })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number })
  @ApiOkResponse({ type: ApiDeprecationsPageDto })
  async apiDeprecations(
    @Query('api') api?: string,
    @Query('page') page?: string,
    @Query('pageSize') pageSize?: string,
  ) {
    const { versions, flags } = await this.queries.apiDeprecations(
      api || undefined,
      this.contexts.now(),
    );
    return { versions, ...pageOf(flags, page, pageSize) };
  }
}
