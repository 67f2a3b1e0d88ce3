import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@trainyard/kernel';
import { ApiProblemResponses, RequirePermission } from '@trainyard/platform';
import {
  GAP_POLICIES,
  OVERLAP_POLICIES,
  previewSchedule,
  type SchedulePreview,
} from '@trainyard/scheduling-domain';
import { SchedulePreviewDto } from './scheduling.http-dto';

/** A query parameter as given: a repeated one arrives as an array. */
type QueryValue = string | string[] | undefined;

/** The parameter's one value (the domain refuses a missing one by name), or a 400 naming it. */
const single = (field: string, value: QueryValue): string | undefined => {
  if (Array.isArray(value)) throw new ValidationError(field, `${field} must be given once`);
  return value;
};

/** REST for scheduling: the schedule preview (more read models arrive with the calendar). */
@ApiTags('scheduling')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/scheduling')
export class SchedulingHttpController {
  @Get('preview')
  @RequirePermission('scheduling:read')
  @ApiOperation({
    summary: 'The UTC instants a cron expression names in a time zone, DST policies applied',
    description:
      'Stores nothing. A wall time in a spring-forward gap is shifted (read with the offset before the gap: 02:30 in New York becomes 03:30 EDT) or skipped; one in a fall-back overlap runs at the first instant, the last, or both. At most 100,000 instants over less than 100 years; a bad field is a 400 naming it.',
  })
  @ApiQuery({
    name: 'cron',
    description:
      'minute hour day-of-month month day-of-week (0 or 7 = Sunday): numbers, `*`, lists, ranges, steps',
    example: '30 2 * * *',
  })
  @ApiQuery({ name: 'zone', description: 'an IANA time zone name', example: 'America/New_York' })
  @ApiQuery({
    name: 'from',
    description: 'a local date YYYY-MM-DD in the zone (whole day) or an RFC 3339 instant',
    example: '2024-03-09',
  })
  @ApiQuery({ name: 'to', description: 'as from, not before it', example: '2024-03-11' })
  @ApiQuery({ name: 'gap', required: false, enum: GAP_POLICIES, description: 'default shift' })
  @ApiQuery({
    name: 'overlap',
    required: false,
    enum: OVERLAP_POLICIES,
    description: 'default both when the hour field covers every hour, else first',
  })
  @ApiOkResponse({ type: SchedulePreviewDto })
  preview(
    @Query('cron') cron: QueryValue,
    @Query('zone') zone: QueryValue,
    @Query('from') from: QueryValue,
    @Query('to') to: QueryValue,
    @Query('gap') gap?: QueryValue,
    @Query('overlap') overlap?: QueryValue,
  ): SchedulePreview {
    return previewSchedule({
      cron: single('cron', cron) ?? '',
      zone: single('zone', zone) ?? '',
      from: single('from', from) ?? '',
      to: single('to', to) ?? '',
      gap: single('gap', gap),
      overlap: single('overlap', overlap),
    });
  }
}
