import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Pool } from 'pg';
import type { ConsumedMessage, MessageBus, MessageConsumer } from '@trainyard/messaging';
import type { ServiceConfig } from '../config/service-config';
import { MESSAGE_BUS, PG_POOL, SERVICE_CONFIG } from '../tokens';
import { AccessAuthority } from './access-authority';
import { accessModelOf } from './access-model.message';
import { AccessModelStore } from './access-model.store';

/**
 * Keeps the service's AccessAuthority on the newest access model. At start it loads the service's
 * own copy (before any request is served), then reads the compacted topic from its beginning with
 * a consumer group of its own (every replica needs every model; compaction keeps the read short)
 * and keeps each newer model, in memory and in its table. A broker or compliance outage leaves the
 * last known model in force; a malformed message is logged and skipped, never applied.
 */
@Injectable()
export class AccessModelSubscriber implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AccessModel');
  private readonly store: AccessModelStore;
  private consumer?: MessageConsumer;
  private started?: Promise<void>;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly authority: AccessAuthority,
    @Inject(PG_POOL) pool: Pool,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {
    this.store = new AccessModelStore(pool, config.DATABASE_SCHEMA);
  }

  async onModuleInit(): Promise<void> {
    try {
      const kept = await this.store.load();
      if (kept && this.authority.accept(kept))
        this.logger.log(`authorising by access model version ${kept.version} (kept copy)`);
    } catch (error) {
      this.logger.warn(`could not read the kept access model: ${String(error)}`);
    }
    // Not awaited: a broker outage must not hold the service's start.
    this.started = this.subscribe();
  }

  private async subscribe(): Promise<void> {
    if (this.stopped) return;
    const topic = this.config.ACCESS_MODEL_TOPIC;
    try {
      // Whichever service starts first creates the topic, compacted (a broker that creates topics
      // on first use would make it an ordinary one); an existing topic is left as it is.
      await this.bus
        .admin()
        .ensureTopics([{ topic, partitions: 1, config: { 'cleanup.policy': 'compact' } }]);
    } catch (error) {
      return this.retryLater(error);
    }
    if (this.stopped) return;
    const consumer = this.bus.consumer({
      groupId: `${this.config.KAFKA_CLIENT_ID}.access-model.${randomUUID()}`,
      topics: [topic],
      fromBeginning: true,
    });
    this.consumer = consumer;
    try {
      await consumer.run((message) => this.receive(message));
    } catch (error) {
      this.consumer = undefined;
      await consumer.disconnect().catch(() => undefined);
      this.retryLater(error);
    }
  }

  private async receive(message: ConsumedMessage): Promise<void> {
    let model;
    try {
      model = accessModelOf(message);
    } catch (error) {
      this.logger.warn(
        `skipped an access-model message at offset ${message.offset}: ${String(error)}`,
      );
      return;
    }
    if (!this.authority.accept(model)) return;
    this.logger.log(`authorising by access model version ${model.version}`);
    // A failed write only loses the copy for a restart; the next model writes it again.
    await this.store
      .save(model)
      .catch((error: unknown) =>
        this.logger.warn(`could not keep access model ${model.version}: ${String(error)}`),
      );
  }

  private retryLater(error: unknown): void {
    if (this.stopped) return;
    this.logger.warn(`access-model topic not readable yet (${String(error)}); retrying`);
    this.retry = setTimeout(() => void (this.started = this.subscribe()), 5_000);
    this.retry.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.consumer?.disconnect().catch(() => undefined);
    // A subscription still connecting (a slow or absent broker) gives up on its own; wait a little.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.started?.catch(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000))),
    ]);
    clearTimeout(timer);
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
