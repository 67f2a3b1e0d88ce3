import { Controller, Inject } from '@nestjs/common';
import type { Pool } from 'pg';
import { audit } from '@trainyard/grpc-contracts';
import {
  EventStoreNotFound,
  formatCheckpoint,
  parseCheckpoint,
  verifyEventChain,
  type EventStore,
  type StoredEvent,
} from '@trainyard/event-store';
import { ValidationError } from '@trainyard/kernel';
import { RequirePermission } from '../auth/auth.decorators';
import type { ServiceConfig } from '../config/service-config';
import { EVENT_STORE, PG_POOL, SERVICE_CONFIG } from '../tokens';

const MAX_PAGE = 1000;

/** `trainyard.audit.v1.AuditTrailService`, served by every service over its own event store. */
@Controller()
@audit.AuditTrailServiceControllerMethods()
export class AuditTrailGrpcController implements audit.AuditTrailServiceController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @RequirePermission('audit:read')
  async readStream(request: audit.ReadStreamRequest): Promise<audit.ReadStreamResponse> {
    if (!request.streamId) throw new ValidationError('stream_id', 'stream_id is required');
    if (request.fromVersion < 0) throw new ValidationError('from_version', 'from_version must not be negative');
    if (request.maxCount < 0 || request.maxCount > MAX_PAGE) throw new ValidationError('max_count', `max_count must be 0..${MAX_PAGE}`);
    const events = await this.store.readStream(request.streamId, {
      direction: request.backwards ? 'backwards' : 'forwards',
      fromVersion: request.fromVersion || undefined,
      maxCount: request.maxCount || MAX_PAGE,
    });
    return { events: events.map(toAuditEvent) };
  }

  @RequirePermission('audit:read')
  async readAll(request: audit.ReadAllRequest): Promise<audit.ReadAllResponse> {
    if (request.pageSize < 0 || request.pageSize > MAX_PAGE) throw new ValidationError('page_size', `page_size must be 0..${MAX_PAGE}`);
    let after;
    try {
      after = request.afterCheckpoint ? parseCheckpoint(request.afterCheckpoint) : undefined;
    } catch {
      throw new ValidationError('after_checkpoint', 'after_checkpoint is not a checkpoint returned by ReadAll');
    }
    const page = await this.store.readAll({
      after,
      batchSize: request.pageSize || 100,
      types: request.types.length > 0 ? request.types : undefined,
    });
    return { events: page.events.map(toAuditEvent), nextCheckpoint: formatCheckpoint(page.checkpoint), endOfStore: page.isEnd };
  }

  @RequirePermission('audit:read')
  async verifyChain(): Promise<audit.VerifyChainResponse> {
    try {
      const result = await verifyEventChain(this.pool, this.config.DATABASE_SCHEMA);
      return result.ok
        ? { intact: true, checked: String(result.checked), firstBadPosition: '', reason: '', unsealed: String(result.unsealed) }
        : { intact: false, checked: String(result.checked), firstBadPosition: result.firstBadPosition.toString(), reason: result.reason, unsealed: '0' };
    } catch (error) {
      if (error instanceof EventStoreNotFound) return { intact: true, checked: '0', firstBadPosition: '', reason: '', unsealed: '0' };
      throw error;
    }
  }
}

function toAuditEvent(event: StoredEvent): audit.AuditEvent {
  return {
    position: event.position.toString(),
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    type: event.type,
    schemaVersion: event.schemaVersion,
    dataJson: JSON.stringify(event.data),
    eventId: event.metadata.eventId,
    correlationId: event.metadata.correlationId,
    causationId: event.metadata.causationId ?? '',
    actor: event.metadata.actor,
    reason: event.metadata.reason ?? '',
    recordedAt: event.recordedAt.toISOString(),
    traceparent: event.metadata.trace?.traceparent ?? '',
  };
}
