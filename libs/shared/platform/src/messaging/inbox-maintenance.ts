import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { Pool } from 'pg';
import { InboxPruner } from '@trainyard/messaging';
import type { ServiceConfig } from '../config/service-config';
import { PG_POOL, SERVICE_CONFIG } from '../tokens';
import { nestMessagingLogger } from './nest-messaging-logger';

/**
 * Every service's inbox pruned (every service's schema has one: its Kafka consumers and reactors
 * write there): every `MESSAGING_INBOX_PRUNE_MS`, the rows handled more than
 * `MESSAGING_INBOX_RETENTION_DAYS` ago, in batches (libs/shared/messaging inbox-pruner.ts).
 */
@Injectable()
export class InboxMaintenance implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('InboxPruner');
  readonly pruner: InboxPruner;

  constructor(@Inject(PG_POOL) pool: Pool, @Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.pruner = new InboxPruner({
      pool,
      schema: config.DATABASE_SCHEMA,
      retentionDays: config.MESSAGING_INBOX_RETENTION_DAYS,
      intervalMs: config.MESSAGING_INBOX_PRUNE_MS,
      logger: nestMessagingLogger(this.logger),
    });
  }

  onModuleInit(): void {
    this.pruner.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.pruner.stop();
  }
}
