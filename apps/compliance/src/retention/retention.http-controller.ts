import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@trainyard/kernel';
import { ApiProblemResponses, CommandContexts, RequirePermission } from '@trainyard/platform';
import { RetentionSweeper } from './retention.sweeper';

/** REST for the retention sweep and the archives it wrote (issue 13 item 6). */
@ApiTags('compliance')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/compliance/retention')
export class RetentionHttpController {
  constructor(
    private readonly sweeper: RetentionSweeper,
    private readonly contexts: CommandContexts,
  ) {}

  @Post('sweeps')
  @HttpCode(200)
  @RequirePermission('compliance:write')
  @ApiOperation({
    summary:
      'Run a retention pass now: rows past their period are deleted or archived (legal holds kept), recorded as RecordsPurged / RecordsArchived',
  })
  @ApiBody({
    required: false,
    schema: { type: 'object', properties: { reason: { type: 'string' } } },
  })
  @ApiProblemResponses(409)
  sweep(@Body() raw: unknown, @Req() http: Request) {
    const body = raw === undefined || raw === null || raw === '' ? {} : raw;
    if (typeof body !== 'object' || Array.isArray(body))
      throw new ValidationError('body', 'the body must be a JSON object');
    const reason = (body as Record<string, unknown>)['reason'] ?? 'retention sweep on request';
    if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 1000)
      throw new ValidationError(
        'reason',
        'reason must be a non-empty string of at most 1000 characters',
      );
    return this.sweeper.run(this.contexts.forHttp(http, reason));
  }

  @Get('policy')
  @RequirePermission('compliance:read')
  @ApiOperation({ summary: 'The retention periods in force, by record type' })
  policy() {
    return {
      policy: this.sweeper.settings.policy,
      sweepIntervalMs: this.sweeper.settings.sweepIntervalMs,
    };
  }

  @Get('archives')
  @RequirePermission('compliance:read')
  @ApiOperation({
    summary: 'Every archive file the log recorded, verified against its recorded SHA-256 and root',
  })
  archives() {
    return this.sweeper.verifyArchives();
  }
}
