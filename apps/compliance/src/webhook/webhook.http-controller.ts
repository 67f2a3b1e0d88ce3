import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ValidationError } from '@trainyard/kernel';
import { ApiProblemResponses, RequirePermission } from '@trainyard/platform';
import { intParam } from '../http/http-params';
import { WebhookStoreProvider } from './webhook.providers';

export class WebhookDeadLetterDto {
  @ApiProperty({ description: 'Also the webhook-id header the subscriber saw' })
  deliveryId!: string;
  @ApiProperty() subscriberId!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({ nullable: true }) lastError!: string | null;
  @ApiPropertyOptional({ nullable: true }) lastStatus!: number | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() deadAt!: string;
  @ApiProperty() replayedCount!: number;
}

export class WebhookDeadLetterPageDto {
  @ApiProperty({ type: [WebhookDeadLetterDto] }) items!: WebhookDeadLetterDto[];
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty() total!: number;
}

export class WebhookReplayDto {
  @ApiProperty() deliveryId!: string;
  @ApiProperty({ enum: ['pending'] }) status!: string;
}

const DELIVERY_ID = /^msg_[0-9a-f]{32}$/;

/** The GRC webhook's dead letters: list them, send one again. URLs and secrets are never shown. */
@ApiTags('compliance')
@ApiBearerAuth()
@ApiProblemResponses(400, 401, 403)
@Controller('api/compliance/webhook')
export class WebhookHttpController {
  constructor(private readonly stores: WebhookStoreProvider) {}

  @Get('dead-letters')
  @RequirePermission('compliance:read')
  @ApiOperation({ summary: 'Webhook deliveries that failed every attempt, newest first' })
  @ApiQuery({ name: 'page', required: false, type: Number })
  @ApiQuery({ name: 'pageSize', required: false, type: Number, description: '1..200, default 50' })
  @ApiOkResponse({ type: WebhookDeadLetterPageDto })
  list(@Query('page') page?: unknown, @Query('pageSize') pageSize?: unknown) {
    const p = intParam('page', page) ?? 1;
    const size = intParam('pageSize', pageSize) ?? 50;
    if (p < 1) throw new ValidationError('page', 'page must be 1 or more.');
    if (size < 1 || size > 200) throw new ValidationError('pageSize', 'pageSize must be 1..200.');
    return this.stores.store.deadLetters(p, size);
  }

  @Post('dead-letters/:id/replay')
  @HttpCode(202)
  @RequirePermission('compliance:write')
  @ApiOperation({
    summary: 'Send a dead letter again with a fresh attempt budget (same webhook-id)',
  })
  @ApiParam({ name: 'id', description: 'msg_<32 hex>' })
  @ApiOkResponse({ type: WebhookReplayDto })
  @ApiProblemResponses(404, 409)
  replay(@Param('id') id: string) {
    if (!DELIVERY_ID.test(id))
      throw new ValidationError('id', 'id must be a msg_<32 hex> delivery id.');
    return this.stores.store.replay(id);
  }
}
