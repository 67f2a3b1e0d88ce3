import { Body, Controller, Get, Post, Query, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ValidationError } from '@trainyard/kernel';
import { ApiProblemResponses, CommandContexts, RequirePermission } from '@trainyard/platform';
import { intParam, textParam } from '../http/http-params';
import { SamplingUseCases } from './sampling.use-cases';

export class DrawSampleBodyDto {
  @ApiProperty({ example: '2031-Q2', description: 'YYYY-MM or YYYY-Qn' }) period!: string;
  @ApiProperty({ example: 10, description: '0 < percent <= 100' }) percent!: number;
  @ApiPropertyOptional({ description: 'Recorded in the sample; generated when absent' })
  seed?: string;
}

type HttpRequest = { readonly headers: Record<string, string | string[] | undefined> };

/** REST for post-release sampling: draw a sample; list samples and findings. */
@ApiTags('compliance')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/compliance')
export class SamplingHttpController {
  constructor(
    private readonly sampling: SamplingUseCases,
    private readonly contexts: CommandContexts,
  ) {}

  @Post('samples')
  @RequirePermission('compliance:sample:write')
  @ApiOperation({ summary: "Draw a seeded sample of a period's releases and check each one" })
  @ApiBody({ type: DrawSampleBodyDto })
  draw(@Body() body: unknown, @Req() request: HttpRequest) {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new ValidationError('body', 'body must be a JSON object.');
    const b = body as Record<string, unknown>;
    return this.sampling.draw(
      { period: b.period, percent: b.percent, ...(b.seed !== undefined ? { seed: b.seed } : {}) },
      this.contexts.forHttp(request),
    );
  }

  @Get('samples')
  @RequirePermission('compliance:read')
  @ApiOperation({ summary: 'Samples drawn, newest first' })
  @ApiQuery({ name: 'period', required: false })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number })
  samples(
    @Query('period') period?: unknown,
    @Query('page') page?: unknown,
    @Query('pageSize') pageSize?: unknown,
  ) {
    const p = textParam('period', period);
    const n = intParam('page', page);
    const size = intParam('pageSize', pageSize);
    return this.sampling.samples({
      ...(p !== undefined ? { period: p } : {}),
      ...(n !== undefined ? { page: n } : {}),
      ...(size !== undefined ? { pageSize: size } : {}),
    });
  }

  @Get('findings')
  @RequirePermission('compliance:read')
  @ApiOperation({ summary: 'Findings of samples, newest first, with their evidence' })
  @ApiQuery({ name: 'sampleId', required: false })
  @ApiQuery({ name: 'releaseId', required: false })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number })
  findings(
    @Query('sampleId') sampleId?: unknown,
    @Query('releaseId') releaseId?: unknown,
    @Query('page') page?: unknown,
    @Query('pageSize') pageSize?: unknown,
  ) {
    const s = textParam('sampleId', sampleId);
    const r = textParam('releaseId', releaseId);
    const n = intParam('page', page);
    const size = intParam('pageSize', pageSize);
    return this.sampling.findings({
      ...(s !== undefined ? { sampleId: s } : {}),
      ...(r !== undefined ? { releaseId: r } : {}),
      ...(n !== undefined ? { page: n } : {}),
      ...(size !== undefined ? { pageSize: size } : {}),
    });
  }
}
