import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { Pool } from 'pg';
import { handleCheckedOutClientErrors } from '@trainyard/event-store';
import type { MessageBus } from '@trainyard/messaging';
import { MESSAGE_BUS, SERVICE_CONFIG } from '@trainyard/platform';
import type { ComplianceConfig } from '../config/compliance-settings';
import { LedgerIngest } from './ledger.ingest';

/** Partitions the ledger ingests at once, each on its own connection of the ledger's pool. */
const LEDGER_CONNECTIONS = 3;

/**
 * The audit ledger's consumer in the compliance service (group `<schema>.ledger`). It has its own
 * small pool: ingesting a backlog of every service's history must never starve the service's
 * commands and evaluations of connections (a shared pool did, under a long backlog).
 */
@Injectable()
export class LedgerConsumer implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('LedgerConsumer');
  private ingest?: LedgerIngest;
  private started?: Promise<void>;

  private readonly pool: Pool;

  constructor(
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(SERVICE_CONFIG) private readonly config: ComplianceConfig,
  ) {
    this.pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: LEDGER_CONNECTIONS,
      connectionTimeoutMillis: 10_000,
      application_name: `trainyard-${config.service}-ledger`,
    });
    this.pool.on('error', (error) =>
      this.logger.warn(`idle ledger connection failed: ${error.message}`),
    );
    handleCheckedOutClientErrors(this.pool);
  }

  onModuleInit(): void {
    this.ingest = new LedgerIngest({
      pool: this.pool,
      bus: this.bus,
      schema: this.config.DATABASE_SCHEMA,
      groupId: `${this.config.DATABASE_SCHEMA}.ledger`,
      // COMPLIANCE_LEDGER_TOPICS, or every service's topic.
      topics: [...this.config.COMPLIANCE_LEDGER_TOPICS],
      inboxRetentionDays: this.config.MESSAGING_INBOX_RETENTION_DAYS,
      partitionsConsumedConcurrently: LEDGER_CONNECTIONS,
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
    await this.pool.end();
  }

  get stats() {
    return this.ingest?.stats;
  }
}
