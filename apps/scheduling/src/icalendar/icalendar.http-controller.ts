import type { IncomingMessage } from 'node:http';
import {
  Body,
  Controller,
  Get,
  Header,
  Param,
  Post,
  Put,
  Query,
  Req,
  Inject,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ValidationError, type Clock } from '@trainyard/kernel';
import {
  ApiProblemResponses,
  CLOCK,
  CommandContexts,
  ConsumesBody,
  RequirePermission,
} from '@trainyard/platform';
import {
  calendarFeed,
  type CalendarImportSource,
  type ComponentMappingRule,
} from '@trainyard/scheduling-domain';
import { CALENDAR_FEED_SOURCE, type CalendarFeedSource } from './calendar-feed-source';
import { CalendarImportUseCases, type CalendarImportResult } from './calendar-import.use-cases';
import {
  CalendarImportPageDto,
  CalendarImportResultDto,
  RegisterCalendarImportDto,
} from './icalendar.http-dto';
import { ICALENDAR_CONFIG, type ICalendarConfig } from './icalendar.config';

type QueryValue = string | string[] | undefined;
type HttpRequest = IncomingMessage & { body?: unknown };

const single = (field: string, value: QueryValue): string | undefined => {
  if (Array.isArray(value)) throw new ValidationError(field, `${field} must be given once.`);
  return value === '' ? undefined : value;
};

const positiveInt = (field: string, value: QueryValue, fallback: number, max: number): number => {
  const text = single(field, value);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d{1,6}$/.test(text) || n < 1 || n > max)
    throw new ValidationError(field, `${field} must be a whole number from 1 to ${max}.`);
  return n;
};

const text = (field: string, value: unknown, required = true): string | undefined => {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new ValidationError(field, `${field} is required.`);
  return value;
};

const names = (field: string, value: unknown): string[] | undefined => {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.length > 100 ||
    !value.every((v) => typeof v === 'string' && v.trim() !== '')
  )
    throw new ValidationError(field, `${field} must be a list of at most 100 names.`);
  return value as string[];
};

/** The request body as a source, every field checked by name (the DTO is documentation only). */
const sourceOf = (body: unknown): CalendarImportSource => {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('body', 'body must be a JSON object.');
  const b = body as Record<string, unknown>;
  const c = b['components'];
  if (c === null || typeof c !== 'object' || Array.isArray(c))
    throw new ValidationError('components', 'components must be an object with from.');
  const m = c as Record<string, unknown>;
  const fallback = names('components.fallback', m['fallback']);
  const withFallback = fallback ? { fallback } : {};
  let components: ComponentMappingRule;
  switch (m['from']) {
    case 'categories': {
      const prefix = text('components.prefix', m['prefix'], false);
      components = { from: 'categories', ...(prefix ? { prefix } : {}), ...withFallback };
      break;
    }
    case 'location':
      components = { from: 'location', ...withFallback };
      break;
    case 'property': {
      const property = text('components.property', m['property']) ?? '';
      if (!/^X-[A-Za-z0-9-]{1,60}$/i.test(property))
        throw new ValidationError(
          'components.property',
          'components.property must be an X- property name.',
        );
      components = { from: 'property', property, ...withFallback };
      break;
    }
    case 'fixed':
      components = {
        from: 'fixed',
        components: names('components.components', m['components']) ?? [],
      };
      if (components.components.length === 0)
        throw new ValidationError(
          'components.components',
          'components.components must name at least one component.',
        );
      break;
    default:
      throw new ValidationError(
        'components.from',
        'components.from must be one of categories, location, property, fixed.',
      );
  }
  const url = text('url', b['url'], false);
  return {
    sourceId: text('sourceId', b['sourceId']) ?? '',
    name: text('name', b['name']) ?? '',
    ...(url === undefined ? {} : { url }),
    defaultZone: text('defaultZone', b['defaultZone']) ?? '',
    components,
  };
};

/** iCalendar out (the feed) and in (maintenance calendars from ITSM tools). */
@ApiTags('scheduling')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/scheduling')
export class ICalendarHttpController {
  constructor(
    @Inject(CALENDAR_FEED_SOURCE) private readonly feedSource: CalendarFeedSource,
    private readonly imports: CalendarImportUseCases,
    private readonly contexts: CommandContexts,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ICALENDAR_CONFIG) private readonly config: ICalendarConfig,
  ) {}

  @Get('calendar.ics')
  @RequirePermission('scheduling:read')
  @Header('Content-Type', 'text/calendar; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @ApiOperation({
    summary:
      'The calendar as an iCalendar feed for Outlook, Google Calendar and IT-operations tools',
    description:
      "RFC 5545, METHOD:PUBLISH: one VEVENT per calendar entry with a stable UID (<entryId>@trainyard), SEQUENCE bumped on every change, STATUS:CANCELLED once retired, local times with the entry's TZID and a VTIMEZONE for each, recurring windows as RRULE with EXDATE/RDATE. Each filter keeps the entries whose scope allows the value.",
  })
  @ApiQuery({ name: 'train', required: false })
  @ApiQuery({ name: 'team', required: false })
  @ApiQuery({ name: 'environment', required: false })
  @ApiQuery({ name: 'component', required: false })
  @ApiProduces('text/calendar')
  @ApiOkResponse({ description: 'the VCALENDAR text', schema: { type: 'string' } })
  async feed(
    @Query('train') train?: QueryValue,
    @Query('team') team?: QueryValue,
    @Query('environment') environment?: QueryValue,
    @Query('component') component?: QueryValue,
  ): Promise<string> {
    const filter = {
      train: single('train', train),
      team: single('team', team),
      environment: single('environment', environment),
      component: single('component', component),
    };
    const named = Object.entries(filter).filter(([, v]) => v !== undefined);
    return calendarFeed(await this.feedSource.entries(), {
      calendarName:
        named.length === 0
          ? 'Trainyard calendar'
          : `Trainyard calendar (${named.map(([k, v]) => `${k} ${String(v)}`).join(', ')})`,
      generatedAt: this.clock.now(),
      filter,
    });
  }

  @Post('calendar-imports')
  @RequirePermission('scheduling:calendar:write')
  @ApiOperation({
    summary:
      'Registers a maintenance calendar to import (a URL on the allowlist, or content to PUT)',
    description:
      'A URL must start with a prefix of SCHEDULING_ICAL_IMPORT_ALLOWED_URLS (else 400 naming url); it is read now and re-read every SCHEDULING_ICAL_IMPORT_INTERVAL_MS. Each read records MaintenanceCalendarImported with only what changed, by UID.',
  })
  @ApiBody({ type: RegisterCalendarImportDto })
  @ApiOkResponse({ type: CalendarImportResultDto })
  register(@Body() body: unknown, @Req() request: HttpRequest): Promise<CalendarImportResult> {
    return this.imports.register(sourceOf(body), this.contexts.forHttp(request));
  }

  @Put('calendar-imports/:sourceId/content')
  @RequirePermission('scheduling:calendar:write')
  @ApiOperation({
    summary: 'Imports posted .ics content for a registered source (Content-Type text/calendar)',
  })
  @ConsumesBody('text/calendar')
  @ApiBody({ schema: { type: 'string' } })
  @ApiOkResponse({ type: CalendarImportResultDto })
  @ApiNotFoundResponse({ description: 'no such source' })
  async importContent(
    @Param('sourceId') sourceId: string,
    @Req() request: HttpRequest,
  ): Promise<CalendarImportResult> {
    const content = await this.bodyText(request);
    return this.imports.importContent(sourceId, content, this.contexts.forHttp(request));
  }

  @Post('calendar-imports/:sourceId/refresh')
  @RequirePermission('scheduling:calendar:write')
  @ApiOperation({ summary: 'Re-reads a URL source now' })
  @ApiOkResponse({ type: CalendarImportResultDto })
  @ApiNotFoundResponse({ description: 'no such source' })
  refresh(
    @Param('sourceId') sourceId: string,
    @Req() request: HttpRequest,
  ): Promise<CalendarImportResult> {
    return this.imports.refresh(sourceId, this.contexts.forHttp(request));
  }

  @Get('calendar-imports')
  @RequirePermission('scheduling:read')
  @ApiOperation({ summary: 'The registered import sources, by id' })
  @ApiQuery({ name: 'page', required: false })
  @ApiQuery({ name: 'pageSize', required: false })
  @ApiOkResponse({ type: CalendarImportPageDto })
  async list(@Query('page') page?: QueryValue, @Query('pageSize') pageSize?: QueryValue) {
    const p = positiveInt('page', page, 1, 100_000);
    const size = positiveInt('pageSize', pageSize, 50, 200);
    const all = await this.imports.list();
    return {
      items: all.slice((p - 1) * size, p * size),
      page: p,
      pageSize: size,
      total: all.length,
    };
  }

  // text/calendar is not parsed by the JSON body parser: the stream is read here, bounded.
  private async bodyText(request: HttpRequest): Promise<string> {
    if (typeof request.body === 'string') return request.body;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buffer.byteLength;
      if (size > this.config.maxBytes)
        throw new ValidationError(
          'content',
          `content must be at most ${this.config.maxBytes} bytes.`,
        );
      chunks.push(buffer);
    }
    const content = Buffer.concat(chunks).toString('utf8');
    if (content.trim() === '')
      throw new ValidationError(
        'content',
        'content is required: an iCalendar text with Content-Type text/calendar.',
      );
    return content;
  }
}
