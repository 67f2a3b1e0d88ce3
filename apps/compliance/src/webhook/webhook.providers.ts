import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { Pool } from 'pg';
import { IdempotentConsumer, type MessageBus, type ParsedCloudEvent } from '@trainyard/messaging';
import {
  CommandContexts,
  MESSAGE_BUS,
  PG_POOL,
  SERVICE_CONFIG,
  type ServiceConfig,
} from '@trainyard/platform';
import type { PoolClient } from 'pg';
import type { ComplianceConfig } from '../config/compliance-settings';
import { webhookSettingsOf, type WebhookSettings } from './webhook-config';
import { WebhookDeliveryStore } from './webhook-delivery.store';
import { WebhookDispatcher } from './webhook-dispatcher';
import { structuredCloudEvent } from './structured-cloud-event';

export const WEBHOOK_SETTINGS = Symbol('WEBHOOK_SETTINGS');

export const webhookSettingsProvider = {
  provide: WEBHOOK_SETTINGS,
  inject: [SERVICE_CONFIG],
  useFactory: (config: ComplianceConfig): WebhookSettings => webhookSettingsOf(config),
};

@Injectable()
export class WebhookStoreProvider {
  readonly store: WebhookDeliveryStore;

  constructor(@Inject(PG_POOL) pool: Pool, @Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.store = new WebhookDeliveryStore(pool, config.DATABASE_SCHEMA);
  }
}

/** One pending row per subscriber for every event of the compliance topic, through the inbox. */
export const enqueueForSubscribers = async (
  store: WebhookDeliveryStore,
  settings: WebhookSettings,
  event: ParsedCloudEvent,
  tx: PoolClient,
): Promise<void> =>
  store.enqueue(
    tx,
    { id: event.id, type: event.type, body: structuredCloudEvent(event) },
    settings.subscribers.map((s) => s.id),
  );

/**
 * The GRC feed: consumes `trainyard.compliance.events.v1` through the inbox into
 * webhook_deliveries (same transaction), and runs the dispatcher that drains it. Idle when no
 * subscriber is configured.
 */
@Injectable()
export class WebhookFeed implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('GrcWebhook');
  private consumer?: IdempotentConsumer;
  private dispatcher?: WebhookDispatcher;
  private started?: Promise<void>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    private readonly stores: WebhookStoreProvider,
    private readonly contexts: CommandContexts,
  ) {}

  onModuleInit(): void {
    if (this.settings.subscribers.length === 0) return;
    const logger = {
      error: (m: string) => this.logger.error(m),
      warn: (m: string) => this.logger.warn(m),
    };
    this.dispatcher = new WebhookDispatcher({
      store: this.stores.store,
      settings: this.settings,
      now: () => new Date(this.contexts.now()),
      logger,
    });
    this.dispatcher.start();
    this.consumer = new IdempotentConsumer({
      pool: this.pool,
      bus: this.bus,
      schema: this.config.DATABASE_SCHEMA,
      groupId: `${this.config.DATABASE_SCHEMA}.grc-webhook`,
      topics: [this.settings.topic],
      inboxRetentionDays: this.config.MESSAGING_INBOX_RETENTION_DAYS,
      handler: (event, tx) => enqueueForSubscribers(this.stores.store, this.settings, event, tx),
      logger: {
        error: (c, m) => this.logger.error(`${m} ${JSON.stringify(c)}`),
        warn: (c, m) => this.logger.warn(`${m} ${JSON.stringify(c)}`),
        info: () => undefined,
        debug: () => undefined,
      },
    });
    this.started = this.consumer.start().catch((error: unknown) => {
      this.logger.warn(`GRC webhook consumer did not start: ${String(error)}`);
    });
  }

  async onModuleDestroy(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.started,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000))),
    ]);
    clearTimeout(timer);
    await this.consumer?.stop();
    await this.dispatcher?.stop();
  }
}
