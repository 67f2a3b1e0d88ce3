import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { Pool } from 'pg';
import type { MessageBus } from '@trainyard/messaging';
import { MESSAGE_BUS, PG_POOL, SERVICE_CONFIG, type ServiceConfig } from '@trainyard/platform';
import { LedgerIngest, ledgerTopics } from './ledger.ingest';

/** The audit ledger's consumer in the compliance service (group `<schema>.ledger`). */
@Injectable()
export class LedgerConsumer implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('LedgerConsumer');
  private ingest?: LedgerIngest;
  private started?: Promise<void>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  onModuleInit(): void {
    this.ingest = new LedgerIngest({
      pool: this.pool,
      bus: this.bus,
      schema: this.config.DATABASE_SCHEMA,
      groupId: `${this.config.DATABASE_SCHEMA}.ledger`,
      topics: ledgerTopics(),
      logger: {
        error: (c, m) => this.logger.error(`${m} ${JSON.stringify(c)}`),
        warn: (c, m) => this.logger.warn(`${m} ${JSON.stringify(c)}`),
        info: () => undefined,
        debug: () => undefined,
      },
    });
    // Not awaited: a broker outage must not hold the service's start; the ingest retries.
    this.started = this.ingest.start();
  }

  async onModuleDestroy(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const ingest = this.ingest;
    const stopping = ingest?.stop();
    await Promise.race([
      Promise.all([this.started, stopping]),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000))),
    ]);
    clearTimeout(timer);
  }

  get stats() {
    return this.ingest?.stats;
  }
}
