import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { parseHoldScope } from '@trainyard/compliance-domain';
import { ValidationError } from '@trainyard/kernel';
import { ApiProblemResponses, CommandContexts, RequirePermission } from '@trainyard/platform';
import { assertSubjectId } from '@trainyard/privacy';
import { assertHoldId } from '@trainyard/compliance-domain';
import { PrivacyUseCases } from './privacy.use-cases';

type Json = Record<string, unknown>;

const objectBody = (body: unknown): Json => {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('body', 'the body must be a JSON object');
  return body as Json;
};

/** A required text field of the body; refuses other JSON types, naming the field. */
const text = (body: Json, field: string, path = field): string => {
  const value = body[field];
  if (value === undefined || value === null || value === '')
    throw new ValidationError(path, `${path} is required`);
  if (typeof value !== 'string') throw new ValidationError(path, `${path} must be a string`);
  if (value.length > 1000)
    throw new ValidationError(path, `${path} must be at most 1000 characters`);
  return value;
};

/** REST for erasure and legal holds (issue 13 item 6); same rules as PrivacyService. */
@ApiTags('compliance')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/compliance/privacy')
export class PrivacyHttpController {
  constructor(
    private readonly privacy: PrivacyUseCases,
    private readonly contexts: CommandContexts,
  ) {}

  @Post('erasures')
  @HttpCode(200)
  @RequirePermission('compliance:write')
  @ApiOperation({
    summary:
      "Crypto-shred a data subject: the key is deleted, a tombstone recorded; 409 (rule privacy.legal-hold) while a legal hold covers the subject's data",
  })
  @ApiBody({ schema: { type: 'object', required: ['subjectId', 'reason'] } })
  @ApiProblemResponses(409)
  async erase(@Body() raw: unknown, @Req() http: Request) {
    const body = objectBody(raw);
    const subjectId = assertSubjectId('subjectId', text(body, 'subjectId'));
    const reason = text(body, 'reason');
    return this.privacy.erase(subjectId, this.contexts.forHttp(http, reason));
  }

  @Get('subjects/:subjectId')
  @RequirePermission('compliance:read')
  @ApiOperation({
    summary: "A subject's key status (active, erased, unknown), tombstone and record count",
  })
  @ApiParam({ name: 'subjectId' })
  subject(@Param('subjectId') subjectId: string) {
    return this.privacy.subject(assertSubjectId('subjectId', subjectId));
  }

  @Post('legal-holds')
  @HttpCode(201)
  @RequirePermission('compliance:write')
  @ApiOperation({ summary: 'Place a legal hold on a workload, release, person or time range' })
  @ApiBody({ schema: { type: 'object', required: ['holdId', 'scope', 'reason'] } })
  @ApiProblemResponses(409)
  placeHold(@Body() raw: unknown, @Req() http: Request) {
    const body = objectBody(raw);
    const holdId = assertHoldId('holdId', text(body, 'holdId'));
    const scope = body['scope'];
    if (scope === null || typeof scope !== 'object' || Array.isArray(scope))
      throw new ValidationError(
        'scope',
        'scope must be an object { kind, id } or { kind, from, to }',
      );
    const reason = text(body, 'reason');
    return this.privacy.placeHold(
      holdId,
      parseHoldScope('scope', scope),
      this.contexts.forHttp(http, reason),
    );
  }

  @Post('legal-holds/:holdId/release')
  @HttpCode(200)
  @RequirePermission('compliance:write')
  @ApiOperation({ summary: 'Release a legal hold' })
  @ApiParam({ name: 'holdId' })
  @ApiBody({ schema: { type: 'object', required: ['reason'] } })
  @ApiProblemResponses(404)
  releaseHold(@Param('holdId') holdId: string, @Body() raw: unknown, @Req() http: Request) {
    const reason = text(objectBody(raw), 'reason');
    return this.privacy.releaseHold(
      assertHoldId('holdId', holdId),
      this.contexts.forHttp(http, reason),
    );
  }

  @Get('legal-holds')
  @RequirePermission('compliance:read')
  @ApiOperation({ summary: 'Legal holds, in force first' })
  async holds() {
    return { items: await this.privacy.holds() };
  }
}
