import type {
  Checkpoint,
  EventStore,
  StoredEvent,
  SubscriptionBatch,
} from '@trainyard/event-store';
import type { Pool } from 'pg';
import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import { cloudEventSource } from './cloud-event.attributes';
import {
  toCloudEventMessage,
  toIntegrationCloudEventMessage,
  type IntegrationEventMessage,
} from './cloud-event.encode';
import type { MessageProducer } from './message-bus.port';
import { quoteSchema } from './messaging.migrations';
import { errorMessage, silentLogger, type MessagingLogger } from './messaging-logger';
import { LockedSubscription } from './locked-subscription';

export interface OutboxRelayOptions {
  /** The service's pool; the lock connection is opened with the same settings. */
  readonly pool: Pool;
  readonly store: EventStore;
  /** Where relay_checkpoints lives (migrateMessaging); normally the store's schema. */
  readonly schema: string;
  /** The producing service: CloudEvents `source` and `type` (see cloud-event.attributes.ts). */
  readonly service: string;
  readonly topic: string;
  /** An idempotent producer (MessageBus.producer()); the relay does not disconnect it. */
  readonly producer: MessageProducer;
  /** Events per published batch. Default 500. */
  readonly batchSize?: number;
  readonly logger?: MessagingLogger;
  /** The checkpoint row and lock name. Default: the topic. */
  readonly name?: string;
  /** Between failed sends of one batch. Default 200 ms doubling to 30 s. */
  readonly backoff?: BackoffOptions;
  /** How often a waiting instance tries to take the lock. Default 2000 ms. */
  readonly lockRetryMs?: number;
  /** How often the idle lock connection is probed. Default 5000 ms. */
  readonly lockKeepAliveMs?: number;
  /** The store subscription's fallback poll. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /**
   * The service's contract (libs/<service>/contracts): what a stored event is published as, or
   * undefined to keep it internal (its checkpoint still moves past it). Without a mapping every
   * stored event is published as stored: the platform's own tests and benches do that; a service
   * always relays through its mapping (ServiceDefinition.integrationEvents).
   */
  readonly integrationEvents?: IntegrationEventMapping;
}

/** Stored event → the integration event it is published as; undefined: not published. */
export type IntegrationEventMapping = (event: StoredEvent) => IntegrationEventMessage | undefined;

/** 'waiting': another instance holds the lock (or the database is unreachable). */
export type OutboxRelayState = 'stopped' | 'waiting' | 'active';

class RelayInterrupted extends Error {
  constructor() {
    super('relay interrupted');
    this.name = 'RelayInterrupted';
  }
}

/**
 * Publishes the store's events, in commit-safe order, to one Kafka topic as CloudEvents keyed by
 * stream id. At-least-once: a batch's checkpoint is stored only after Kafka acknowledged the whole
 * batch, so a crash, a stop or a broker outage means re-sending, never skipping. One instance per
 * (schema, name) publishes at a time: it holds a session-level advisory lock on a dedicated
 * connection and writes its checkpoint through that connection, so an instance that lost the lock
 * can no longer move the checkpoint.
 */
export class OutboxRelay {
  private readonly name: string;
  private readonly logger: MessagingLogger;
  private readonly loop: LockedSubscription;
  private readonly backoff: BackoffOptions;
  private publishedCount = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    cloudEventSource(options.service); // validates the service name before anything runs
    quoteSchema(options.schema);
    this.name = options.name ?? options.topic;
    this.logger = options.logger ?? silentLogger;
    this.backoff = options.backoff ?? { initialMs: 200, maxMs: 30_000 };
    const { pool, store, schema, topic } = options;
    this.loop = new LockedSubscription({
      pool,
      store,
      schema,
      lockKey: `trainyard.messaging.relay:${schema}:${this.name}`,
      checkpointName: this.name,
      applicationName: `trainyard-relay:${this.name}`,
      batchSize: options.batchSize ?? 500,
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      lockRetryMs: options.lockRetryMs ?? 2_000,
      lockKeepAliveMs: options.lockKeepAliveMs ?? 5_000,
      backoff: this.backoff,
      logger: this.logger,
      context: { relay: this.name, schema, topic },
      label: 'outbox relay',
      handle: (batch, interrupt) => this.publish(batch, interrupt),
    });
  }

  get state(): OutboxRelayState {
    return this.loop.state;
  }

  /** The checkpoint this instance last stored, if any. */
  get checkpoint(): Checkpoint | undefined {
    return this.loop.checkpoint;
  }

  /** Events this instance has had acknowledged by Kafka (re-sends counted again). */
  get published(): number {
    return this.publishedCount;
  }

  /** Starts in the background: waits for the lock, then publishes until stop(). */
  start(): void {
    this.loop.start();
  }

  /** Lets the batch in flight finish (its send and checkpoint), releases the lock. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Sends the batch until Kafka acknowledges it; the shared loop then stores the checkpoint. */
  private async publish(batch: SubscriptionBatch, interrupt: AbortSignal): Promise<void> {
    const { service, topic, producer, integrationEvents } = this.options;
    const messages = integrationEvents
      ? batch.events.flatMap((event) => {
          const published = integrationEvents(event);
          return published ? [toIntegrationCloudEventMessage(event, published, service)] : [];
        })
      : batch.events.map((event) => toCloudEventMessage(event, service));
    for (let attempt = 1; messages.length > 0; attempt++) {
      if (interrupt.aborted) throw new RelayInterrupted();
      try {
        await producer.send(topic, messages);
        break;
      } catch (error) {
        const delay = backoffDelay(attempt, this.backoff);
        this.logger.warn(
          {
            relay: this.name,
            topic,
            events: messages.length,
            attempt,
            retryInMs: delay,
            error: errorMessage(error),
          },
          'outbox relay publish failed; retrying the batch',
        );
        await sleep(delay, interrupt);
      }
    }
    this.publishedCount += messages.length;
  }
}
