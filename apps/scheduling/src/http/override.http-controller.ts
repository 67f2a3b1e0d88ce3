import { withoutVersion } from './without-version';
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
import { isOverrideActive } from '@trainyard/scheduling-domain';
import {
  FREEZE_OVERRIDE_VIEW_STATUSES,
  OVERRIDE_REVIEW_VIEW_STATUSES,
  type FreezeOverrideRow,
  type OverrideReviewRow,
} from '@trainyard/scheduling-read-models';
import { OverrideQueries, type QueryFieldNames } from '../application/override.queries';
import {
  FreezeOverrideDto,
  FreezeOverridePageDto,
  OverrideReviewPageDto,
} from './override.http-dto';

type QueryValue = string | string[] | undefined;

const HTTP_FIELDS: QueryFieldNames = { status: 'status', page: 'page', pageSize: 'pageSize' };

const single = (field: string, value: QueryValue): string | undefined => {
  if (Array.isArray(value)) throw new ValidationError(field, `${field} must be given once`);
  return value;
};

const intParam = (field: string, value: QueryValue): number | undefined => {
  const text = single(field, value);
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new ValidationError(field, `${field} must be a whole number`);
  return Number(text);
};

/** REST read models of freeze overrides and their review items. */
@ApiTags('freeze overrides')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/scheduling')
export class OverrideHttpController {
  constructor(
    private readonly queries: OverrideQueries,
    private readonly contexts: CommandContexts,
  ) {}

  private view(row: FreezeOverrideRow, now: string) {
    return { ...withoutVersion(row), activeNow: isOverrideActive(row, Date.parse(now)) };
  }

  private review(row: OverrideReviewRow, now: string) {
    return {
      ...withoutVersion(row),
      overdue: row.status === 'open' && Date.parse(now) > Date.parse(row.dueAt),
    };
  }

  @Get('overrides')
  @RequirePermission('scheduling:read')
  @ApiOperation({
    summary: 'Freeze overrides, newest request first',
    description:
      'status is as recorded; activeNow is time-based (an override past `to` is not active even before the sweeper recorded its expiry).',
  })
  @ApiQuery({ name: 'status', required: false, enum: FREEZE_OVERRIDE_VIEW_STATUSES })
  @ApiQuery({ name: 'freezeId', required: false })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number, description: '1..200, default 50' })
  @ApiOkResponse({ type: FreezeOverridePageDto })
  async listOverrides(
    @Query('status') status?: QueryValue,
    @Query('freezeId') freezeId?: QueryValue,
    @Query('page') page?: QueryValue,
    @Query('pageSize') pageSize?: QueryValue,
  ) {
    const result = await this.queries.listOverrides(
      {
        status: single('status', status),
        freezeId: single('freezeId', freezeId),
        page: intParam('page', page),
        pageSize: intParam('pageSize', pageSize),
      },
      HTTP_FIELDS,
    );
    const now = this.contexts.now();
    return { ...result, items: result.items.map((row) => this.view(row, now)) };
  }

  @Get('overrides/:id')
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: 'One freeze override: approvals, uses, how it ended' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ type: FreezeOverrideDto })
  @ApiProblemResponses(404)
  async getOverride(@Param('id') id: string) {
    return this.view(await this.queries.getOverride(id), this.contexts.now());
  }

  @Get('override-reviews')
  @RequirePermission('scheduling:read')
  @ApiOperation({
    summary: 'Review items of ended overrides, earliest due first',
    description:
      'Every override that was active leaves one; status=open lists what must be closed.',
  })
  @ApiQuery({ name: 'status', required: false, enum: OVERRIDE_REVIEW_VIEW_STATUSES })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number, description: '1..200, default 50' })
  @ApiOkResponse({ type: OverrideReviewPageDto })
  async listReviews(
    @Query('status') status?: QueryValue,
    @Query('page') page?: QueryValue,
    @Query('pageSize') pageSize?: QueryValue,
  ) {
    const result = await this.queries.listReviews(
      {
        status: single('status', status),
        page: intParam('page', page),
        pageSize: intParam('pageSize', pageSize),
      },
      HTTP_FIELDS,
    );
    const now = this.contexts.now();
    return { ...result, items: result.items.map((row) => this.review(row, now)) };
  }
}
