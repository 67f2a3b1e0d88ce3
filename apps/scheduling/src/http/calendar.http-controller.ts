import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@trainyard/kernel';
import { ApiProblemResponses, RequirePermission } from '@trainyard/platform';
import type { CalendarEntryKind } from '@trainyard/scheduling-domain';
import type { CalendarEntryRow, ComponentRow } from '@trainyard/scheduling-read-models';
import { CalendarQueries, calendarKind, type Page } from '../application/calendar.queries';
import { CalendarEntryPageDto, ComponentPageDto, OccurrencesDto } from './calendar.http-dto';

type QueryValue = string | string[] | undefined;

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

const boolParam = (field: string, value: QueryValue): boolean => {
  const text = single(field, value);
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  throw new ValidationError(field, `${field} must be true or false.`);
};

const WINDOW_KINDS: readonly CalendarEntryKind[] = ['deployment-window', 'maintenance-window'];

const scopeQueries =
  () => (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    for (const [name, description] of [
      ['train', 'entries applying to this train (an empty scope applies to every train)'],
      ['team', 'entries applying to this team'],
      ['environment', 'entries applying to this environment'],
      ['component', 'entries applying to this component'],
      ['includeRetired', 'true: retired entries too'],
      ['page', '1-based, default 1'],
      ['pageSize', '1..200, default 50'],
    ] as const)
      ApiQuery({ name, required: false, description })(target, key, descriptor);
  };

/** REST read models of the calendar: windows, freezes, holidays, components and occurrences. */
@ApiTags('scheduling')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/scheduling')
export class CalendarHttpController {
  constructor(private readonly queries: CalendarQueries) {}

  private list(
    kinds: readonly CalendarEntryKind[],
    params: Record<string, QueryValue>,
  ): Promise<Page<CalendarEntryRow>> {
    const text = (name: string) => {
      const value = single(name, params[name]);
      return value !== undefined ? { [name]: value } : {};
    };
    const page = intParam('page', params['page']);
    const pageSize = intParam('pageSize', params['pageSize']);
    return this.queries.listEntries({
      kinds,
      ...text('train'),
      ...text('team'),
      ...text('environment'),
      ...text('component'),
      includeRetired: boolParam('includeRetired', params['includeRetired']),
      ...(page !== undefined ? { page } : {}),
      ...(pageSize !== undefined ? { pageSize } : {}),
    });
  }

  @Get('windows')
  @RequirePermission('scheduling:read')
  @ApiOperation({
    summary: 'Deployment and maintenance windows, as defined (nominal local times and zone)',
  })
  @ApiQuery({ name: 'kind', required: false, enum: WINDOW_KINDS })
  @scopeQueries()
  @ApiOkResponse({ type: CalendarEntryPageDto })
  windows(@Query() params: Record<string, QueryValue>): Promise<Page<CalendarEntryRow>> {
    const kind = single('kind', params['kind']);
    if (kind !== undefined && !(WINDOW_KINDS as readonly string[]).includes(kind))
      throw new ValidationError('kind', `kind must be one of ${WINDOW_KINDS.join(', ')}.`);
    return this.list(kind ? [calendarKind('kind', kind)] : WINDOW_KINDS, params);
  }

  @Get('freezes')
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: 'Freeze (blackout) periods, as defined' })
  @scopeQueries()
  @ApiOkResponse({ type: CalendarEntryPageDto })
  freezes(@Query() params: Record<string, QueryValue>): Promise<Page<CalendarEntryRow>> {
    return this.list(['freeze'], params);
  }

  @Get('holidays')
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: 'Business and holiday calendars other entries reference' })
  @scopeQueries()
  @ApiOkResponse({ type: CalendarEntryPageDto })
  holidays(@Query() params: Record<string, QueryValue>): Promise<Page<CalendarEntryRow>> {
    return this.list(['holiday'], params);
  }

  @Get('windows/:id/occurrences')
  @RequirePermission('scheduling:read')
  @ApiProblemResponses(404)
  @ApiOperation({
    summary: "An entry's occurrences starting in [from, to), in UTC with their local wall times",
    description:
      'Works for any calendar entry id (window, freeze or holiday). The RRULE is expanded in local wall time and each start resolved with the entry DST policy; the end is the local start plus the duration on the wall clock. At most 100,000 occurrences (else a 400 naming `to`).',
  })
  @ApiQuery({
    name: 'from',
    description: 'an RFC 3339 instant, or a local date YYYY-MM-DD in the entry zone',
    example: '2031-05-01T00:00:00Z',
  })
  @ApiQuery({
    name: 'to',
    description: 'as from, not before it (a date: that whole day included)',
    example: '2031-06-01T00:00:00Z',
  })
  @ApiOkResponse({ type: OccurrencesDto })
  async occurrences(
    @Param('id') id: string,
    @Query('from') from: QueryValue,
    @Query('to') to: QueryValue,
  ): Promise<OccurrencesDto> {
    const occurrences = await this.queries.occurrences(
      id,
      single('from', from) ?? '',
      single('to', to) ?? '',
    );
    const row = await this.queries.getEntry(id);
    return {
      entryId: id,
      zone: row.zone,
      occurrences: occurrences.map(({ entryId: _entryId, ...occurrence }) => occurrence),
    };
  }

  @Get('components')
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: 'Declared components and their parents' })
  @ApiQuery({ name: 'page', required: false })
  @ApiQuery({ name: 'pageSize', required: false })
  @ApiOkResponse({ type: ComponentPageDto })
  components(
    @Query('page') page: QueryValue,
    @Query('pageSize') pageSize: QueryValue,
  ): Promise<Page<ComponentRow>> {
    const p = intParam('page', page);
    const s = intParam('pageSize', pageSize);
    return this.queries.listComponents({
      ...(p !== undefined ? { page: p } : {}),
      ...(s !== undefined ? { pageSize: s } : {}),
    });
  }
}
