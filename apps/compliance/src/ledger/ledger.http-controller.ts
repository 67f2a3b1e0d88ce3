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
import { intParam, textParam } from '../http/http-params';
import { LedgerQueries } from './ledger.queries';

/** The cross-service audit ledger (issue 13): every service's events with what they link. */
@ApiTags('compliance-ledger')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/compliance/ledger')
export class LedgerHttpController {
  constructor(private readonly queries: LedgerQueries) {}

  @Get()
  @RequirePermission('compliance:read')
  @ApiOperation({
    summary:
      'Ledger entries, oldest first, filtered by workload (with what reaches it through its release, deployments and overrides), release, actor, control and time',
  })
  @ApiQuery({ name: 'workload', required: false })
  @ApiQuery({ name: 'release', required: false })
  @ApiQuery({ name: 'actor', required: false })
  @ApiQuery({ name: 'control', required: false })
  @ApiQuery({ name: 'from', required: false, description: 'RFC 3339, inclusive' })
  @ApiQuery({ name: 'to', required: false, description: 'RFC 3339, exclusive' })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number, description: '1..200, default 50' })
  @ApiOkResponse({ description: '{items, page, pageSize, total}' })
  query(
    @Query('workload') workload?: unknown,
    @Query('release') release?: unknown,
    @Query('actor') actor?: unknown,
    @Query('control') control?: unknown,
    @Query('from') from?: unknown,
    @Query('to') to?: unknown,
    @Query('page') page?: unknown,
    @Query('pageSize') pageSize?: unknown,
  ) {
    return this.queries.query({
      workload: textParam('workload', workload),
      release: textParam('release', release),
      actor: textParam('actor', actor),
      control: textParam('control', control),
      from: textParam('from', from),
      to: textParam('to', to),
      page: intParam('page', page),
      pageSize: intParam('pageSize', pageSize),
    });
  }

  @Get('workloads/:id')
  @RequirePermission('compliance:read')
  @ApiOperation({ summary: "A workload's whole trail, oldest first, grouped by kind" })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ description: '{workloadId, total, truncated, linked, groups: [{kind, items}]}' })
  @ApiProblemResponses(404)
  trail(@Param('id') id: string) {
    return this.queries.workloadTrail(id);
  }
}
