import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@trainyard/kernel';
import { ApiProblemResponses, RequirePermission } from '@trainyard/platform';
import {
  CONFLICT_PAGE_SIZE_MAX,
  ConflictQueries,
  type ConflictFieldNames,
  type ConflictPage,
} from '../application/conflicts.queries';
import { ConflictPageDto } from './conflicts.http-dto';

/** A query parameter as given: a repeated one arrives as an array (or, bracketed, an object). */
type QueryValue = string | string[] | Record<string, unknown> | undefined;

const HTTP_FIELDS: ConflictFieldNames = {
  components: 'components',
  from: 'from',
  to: 'to',
  owner: 'owner',
  train: 'train',
  team: 'team',
  environment: 'environment',
  page: 'page',
  pageSize: 'pageSize',
};

const single = (field: string, value: QueryValue): string | undefined => {
  if (value === undefined || typeof value === 'string') return value;
  throw new ValidationError(field, `${field} must be given once.`);
};

/** `components=a,b` or `components=a&components=b`. */
const list = (field: string, value: QueryValue): string[] => {
  if (value === undefined) return [];
  const parts = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (!parts || parts.some((p) => typeof p !== 'string'))
    throw new ValidationError(field, `${field} must be a comma-separated list of names.`);
  return parts.flatMap((p) => p.split(','));
};

const intParam = (field: string, value: QueryValue): number | undefined => {
  const text = single(field, value);
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,9}$/.test(text))
    throw new ValidationError(field, `${field} must be a whole number; got ${text}`);
  return Number(text);
};

/** REST for conflict detection: `GET /api/scheduling/conflicts`. */
@ApiTags('scheduling')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/scheduling')
export class ConflictsHttpController {
  constructor(private readonly queries: ConflictQueries) {}

  @Get('conflicts')
  @RequirePermission('scheduling:read')
  @ApiOperation({
    summary: 'Every conflict of a proposed change or job run with the calendar',
    description:
      'For components touched by a change from `from` to `to` (at most 366 days), every conflict with its rule and the other party: outside-deployment-window, working-hours, freeze (or a holiday a freeze covers; an active override lifts it), maintenance (the component or an ancestor has maintenance windows and none holds the range), component-overlap (a deployment on the component, its parent or child), job-reservation, owner-booked. The same rules placement uses. Stores nothing; a bad field is a 400 naming it.',
  })
  @ApiQuery({
    name: 'components',
    description: 'comma-separated component names',
    example: 'payments-api,ledger-db',
  })
  @ApiQuery({ name: 'from', description: 'RFC 3339 instant', example: '2024-06-03T10:00:00Z' })
  @ApiQuery({
    name: 'to',
    description: 'RFC 3339 instant, after from (exclusive)',
    example: '2024-06-03T12:00:00Z',
  })
  @ApiQuery({ name: 'train', description: 'the release train the change belongs to' })
  @ApiQuery({ name: 'team', description: 'the team that makes the change' })
  @ApiQuery({ name: 'environment', description: 'e.g. prod' })
  @ApiQuery({ name: 'owner', required: false, description: 'who carries the change out' })
  @ApiQuery({ name: 'page', required: false, type: Number, description: 'default 1' })
  @ApiQuery({
    name: 'pageSize',
    required: false,
    type: Number,
    description: `1..${CONFLICT_PAGE_SIZE_MAX}, default 50`,
  })
  @ApiOkResponse({ type: ConflictPageDto })
  listConflicts(
    @Query('components') components: QueryValue,
    @Query('from') from: QueryValue,
    @Query('to') to: QueryValue,
    @Query('train') train: QueryValue,
    @Query('team') team: QueryValue,
    @Query('environment') environment: QueryValue,
    @Query('owner') owner?: QueryValue,
    @Query('page') page?: QueryValue,
    @Query('pageSize') pageSize?: QueryValue,
  ): Promise<ConflictPage> {
    return this.queries.listConflicts(
      {
        components: list('components', components),
        from: single('from', from) ?? '',
        to: single('to', to) ?? '',
        train: single('train', train) ?? '',
        team: single('team', team) ?? '',
        environment: single('environment', environment) ?? '',
        owner: single('owner', owner),
        page: intParam('page', page),
        pageSize: intParam('pageSize', pageSize),
      },
      HTTP_FIELDS,
    );
  }
}
