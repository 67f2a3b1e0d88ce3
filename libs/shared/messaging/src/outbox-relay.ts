import { formatCheckpoint, parseCheckpoint } from '@trainyard/event-store';
import type {
  Checkpoint,
  EventStore,
  StoredEvent,
  SubscriptionBatch,
} from '@trainyard/event-store';
import type { Pool } from 'pg';
import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import {
  cloudEventSource,
  toCloudEventMessage,
  toIntegrationCloudEventMessage,
  type IntegrationEventMessage,
} from './cloud-events';
import type { MessageProducer } from './message-bus.port';
import { quoteSchema } from './messaging.migrations';
import { errorMessage, silentLogger, type MessagingLogger } from './messaging-logger';
import { SessionLock, whenAborted } from './session-lock';

export interface OutboxRelayOptions {
  /** The service's pool; the lock connection is opened with the same settings. */
  readonly pool: Pool;
  readonly store: EventStore;
  /** Where relay_checkpoints lives (migrateMessaging); normally the store's schema. */
  readonly schema: string;
  /** The producing service: CloudEvents `source` and `type` (see cloud-events.ts). */
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
  private readonly backoff: BackoffOptions;
  private currentState: OutboxRelayState = 'stopped';
  private stopController?: AbortController;
  private loop?: Promise<void>;
  private lastCheckpoint?: Checkpoint;
  private publishedCount = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    cloudEventSource(options.service); // validates the service name before anything runs
    quoteSchema(options.schema);
    this.name = options.name ?? options.topic;
    this.logger = options.logger ?? silentLogger;
    this.backoff = options.backoff ?? { initialMs: 200, maxMs: 30_000 };
  }

  get state(): OutboxRelayState {
    return this.currentState;
  }

  /** The checkpoint this instance last stored, if any. */
  get checkpoint(): Checkpoint | undefined {
    return this.lastCheckpoint;
  }

  /** Events this instance has had acknowledged by Kafka (re-sends counted again). */
  get published(): number {
    return this.publishedCount;
  }

  /** Starts in the background: waits for the lock, then publishes until stop(). */
  start(): void {
    if (this.loop) return;
    const controller = new AbortController();
    this.stopController = controller;
    this.currentState = 'waiting';
    this.loop = this.run(controller.signal);
  }

  /** Lets the batch in flight finish (its send and checkpoint), releases the lock. */
  async stop(): Promise<void> {
    this.stopController?.abort();
    await this.loop;
    this.loop = undefined;
    this.stopController = undefined;
  }

  private async run(stop: AbortSignal): Promise<void> {
    const context = { relay: this.name, schema: this.options.schema, topic: this.options.topic };
    let failures = 0;
    while (!stop.aborted) {
      this.currentState = 'waiting';
      const lock = await SessionLock.acquire({
        pool: this.options.pool,
        key: `trainyard.messaging.relay:${this.options.schema}:${this.name}`,
        stop,
        retryMs: this.options.lockRetryMs ?? 2_000,
        keepAliveMs: this.options.lockKeepAliveMs ?? 5_000,
        logger: this.logger,
        applicationName: `trainyard-relay:${this.name}`.slice(0, 63),
      });
      if (!lock) break;
      try {
        this.currentState = 'active';
        this.logger.info(context, 'outbox relay active');
        await this.relayWhileLocked(lock, stop);
        failures = 0;
      } catch (error) {
        if (stop.aborted) break;
        failures++;
        this.logger.warn(
          { ...context, error: errorMessage(error), failures },
          'outbox relay interrupted; resuming from the stored checkpoint',
        );
        await sleep(backoffDelay(failures, this.backoff), stop);
      } finally {
        await lock.release();
      }
    }
    this.currentState = 'stopped';
  }

  private async relayWhileLocked(lock: SessionLock, stop: AbortSignal): Promise<void> {
    const interrupt = AbortSignal.any([stop, lock.signal]);
    const { rows } = await lock.client.query<{ checkpoint: string }>(
      `SELECT checkpoint FROM ${quoteSchema(this.options.schema)}.relay_checkpoints WHERE name = $1`,
      [this.name],
    );
    const stored = rows[0] ? parseCheckpoint(rows[0].checkpoint) : undefined;
    const subscription = this.options.store.subscribe({
      from: stored ?? 'start',
      batchSize: this.options.batchSize ?? 500,
      ...(this.options.pollIntervalMs === undefined
        ? {}
        : { pollIntervalMs: this.options.pollIntervalMs }),
      handler: (batch) => this.publish(batch, lock, interrupt),
      onReadError: (error) =>
        this.logger.warn(
          { relay: this.name, error: errorMessage(error) },
          'outbox relay read failed; retrying',
        ),
    });
    try {
      await Promise.race([subscription.done, whenAborted(interrupt)]);
    } finally {
      await subscription.stop();
    }
    if (lock.signal.aborted && !stop.aborted)
      throw new Error(`lost the lock connection: ${errorMessage(lock.signal.reason)}`);
  }

  private async publish(
    batch: SubscriptionBatch,
    lock: SessionLock,
    interrupt: AbortSignal,
  ): Promise<void> {
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
    // Through the lock's own connection: if the lock is gone, this fails and nothing moves.
    await lock.client.query(
      `INSERT INTO ${quoteSchema(this.options.schema)}.relay_checkpoints (name, checkpoint, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = excluded.updated_at`,
      [this.name, formatCheckpoint(batch.checkpoint)],
    );
    this.lastCheckpoint = batch.checkpoint;
  }
}
