import type { IncomingMessage } from 'node:http';
import { Body, Controller, Delete, Get, Param, Put, Query, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ValidationError } from '@trainyard/kernel';
import { ApiProblemResponses, CommandContexts, RequirePermission } from '@trainyard/platform';
import { SecretsService, type SecretSummary } from './secrets.service';

type HttpRequest = IncomingMessage & { body?: unknown };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{ value, reason? }`; anything else is refused naming the field. */
const putBody = (body: unknown): { value: string; reason: string } => {
  if (!isObject(body))
    throw new ValidationError('body', 'the body must be a JSON object with value');
  for (const key of Object.keys(body))
    if (key !== 'value' && key !== 'reason')
      throw new ValidationError(key, `${key} is not a known field; expected value, reason`);
  const { value, reason } = body;
  if (typeof value !== 'string') throw new ValidationError('value', 'value must be a string');
  if (reason !== undefined && typeof reason !== 'string')
    throw new ValidationError('reason', 'reason must be a string');
  return { value, reason: reason ?? '' };
};

const single = (field: string, value: string | string[] | undefined): string => {
  if (Array.isArray(value)) throw new ValidationError(field, `${field} must be given once`);
  return value ?? '';
};

/**
 * REST for the executors' secrets: PUT sets or rotates, GET lists (never a value), DELETE
 * destroys. A name holding `/` is URL-encoded in the path (`team%2Fledger-token`).
 */
@ApiTags('job secrets')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/scheduling/secrets')
export class SecretsHttpController {
  constructor(
    private readonly secrets: SecretsService,
    private readonly contexts: CommandContexts,
  ) {}

  @Put(':name')
  @RequirePermission('scheduling:secrets:write')
  @ApiOperation({
    summary: 'Sets a secret, or rotates it (the next version; the earlier value is destroyed)',
    description:
      'The value is sealed with a per-value data key, wrapped by the operator KEK (SCHEDULING_SECRETS_KEK); 409 when none is configured. The answer never holds the value.',
  })
  @ApiParam({ name: 'name' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['value'],
      properties: { value: { type: 'string' }, reason: { type: 'string' } },
    },
  })
  @ApiOkResponse({ description: 'name, version, kekId, createdAt/By, rotatedAt/By' })
  put(
    @Param('name') name: string,
    @Body() body: unknown,
    @Req() request: HttpRequest,
  ): Promise<SecretSummary> {
    const { value, reason } = putBody(body);
    return this.secrets.put(name, value, this.contexts.forHttp(request, reason));
  }

  @Get()
  @RequirePermission('scheduling:secrets:read')
  @ApiOperation({ summary: 'Every stored secret: name, version, who and when; never a value' })
  async list(): Promise<{ items: SecretSummary[] }> {
    return { items: await this.secrets.list() };
  }

  @Delete(':name')
  @RequirePermission('scheduling:secrets:write')
  @ApiOperation({ summary: 'Deletes a secret and destroys its value (404 when never set)' })
  @ApiParam({ name: 'name' })
  @ApiQuery({ name: 'reason', required: false })
  async remove(
    @Param('name') name: string,
    @Query('reason') reason: string | string[] | undefined,
    @Req() request: HttpRequest,
  ): Promise<{ deleted: boolean }> {
    const why = single('reason', reason);
    return { deleted: await this.secrets.delete(name, this.contexts.forHttp(request, why)) };
  }
}
