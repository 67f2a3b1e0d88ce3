import { Body, Controller, Get, Param, Put, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { NotFoundError, ValidationError } from '@trainyard/kernel';
import { ApiProblemResponses, CommandContexts, RequirePermission } from '@trainyard/platform';
import { PoolQueries, type PoolStatusView } from './pool.queries';
import { PoolUseCases } from './pool.use-cases';
import {
  FairnessDto,
  PoolListDto,
  PutPoolBodyDto,
  PutPoolResultDto,
  PutTeamWeightBodyDto,
  PutTeamWeightResultDto,
} from './pools.http-dto';

type HttpRequest = { readonly headers: Record<string, string | string[] | undefined> };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The domain names body fields under `pool.`; over REST the body is the pool itself. */
const restField = <T>(work: () => Promise<T>): Promise<T> =>
  work().catch((error: unknown) => {
    if (error instanceof ValidationError && error.field.startsWith('pool.')) {
      const field = error.field.slice('pool.'.length);
      throw new ValidationError(field, error.message.replaceAll(error.field, field));
    }
    throw error;
  });

const reasonOf = (body: Record<string, unknown>): string => {
  const reason = body.reason;
  if (reason === undefined) return '';
  if (typeof reason !== 'string' || reason.length > 1_000)
    throw new ValidationError('reason', 'reason must be text of at most 1000 characters.');
  return reason;
};

const view = (s: PoolStatusView) => ({
  key: s.pool.poolKey,
  slots: s.pool.slots,
  highLoadReservations: s.pool.highLoadReservations,
  description: s.pool.description,
  held: s.held,
  holders: s.holders,
  utilisation: s.utilisation,
  reservedNow: s.reservedNow,
  updatedBy: s.pool.updatedBy,
  updatedAt: s.pool.updatedAt,
});

/** REST for pools and fair share (issue 12, item 4). */
@ApiTags('pools')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/scheduling')
export class PoolsHttpController {
  constructor(
    private readonly useCases: PoolUseCases,
    private readonly queries: PoolQueries,
    private readonly contexts: CommandContexts,
  ) {}

  @Get('pools')
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: 'Every defined pool with its utilisation now' })
  @ApiOkResponse({ type: PoolListDto })
  async listPools() {
    return { items: (await this.queries.listPools(this.contexts.now())).map(view) };
  }

  @Put('pools/:key')
  @RequirePermission('scheduling:calendar:write')
  @ApiOperation({
    summary: 'Define or change a pool',
    description:
      'The whole definition: slots shared by every job and scheduler instance, and slots reserved for critical jobs during high-load periods (holiday calendar entries such as month-end close). Recorded as a JobPoolPut event; a bad field is a 400 naming it.',
  })
  @ApiParam({ name: 'key', example: 'db:payments' })
  @ApiBody({ type: PutPoolBodyDto })
  @ApiOkResponse({ type: PutPoolResultDto })
  async putPool(@Param('key') key: string, @Body() body: unknown, @Req() request: HttpRequest) {
    return restField(async () => {
      if (!isObject(body)) throw new ValidationError('body', 'The body must be a JSON object.');
      const ctx = this.contexts.forHttp(request, reasonOf(body));
      const pool: Record<string, unknown> = { ...body, key };
      delete pool.reason;
      const result = await this.useCases.putPool(pool, ctx);
      const status = (await this.queries.listPools(ctx.now)).find(
        (p) => p.pool.poolKey === result.key,
      );
      if (!status) throw new NotFoundError('pool', result.key);
      return { pool: view(status), changed: result.changed };
    });
  }

  @Get('fairness')
  @RequirePermission('scheduling:read')
  @ApiOperation({
    summary: 'Team weights, tasks waiting and running per team, high-load periods active now',
  })
  @ApiOkResponse({ type: FairnessDto })
  fairness() {
    return this.queries.fairness(this.contexts.now());
  }

  @Put('fairness/teams/:team')
  @RequirePermission('scheduling:calendar:write')
  @ApiOperation({
    summary: "Set a team's fair-share weight",
    description:
      'Teams share the workers in proportion to their weights (default 1). Recorded as a TeamWeightSet event.',
  })
  @ApiParam({ name: 'team', example: 'payments' })
  @ApiBody({ type: PutTeamWeightBodyDto })
  @ApiOkResponse({ type: PutTeamWeightResultDto })
  @ApiProblemResponses(400)
  async putTeamWeight(
    @Param('team') team: string,
    @Body() body: unknown,
    @Req() request: HttpRequest,
  ) {
    if (!isObject(body)) throw new ValidationError('body', 'The body must be a JSON object.');
    const ctx = this.contexts.forHttp(request, reasonOf(body));
    const result = await this.useCases.putTeamWeight(team, body.weight, ctx);
    return { team: await this.queries.team(result.team), changed: result.changed };
  }
}
