import type { Pool, PoolClient } from 'pg';
import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import {
  InvalidCloudEventError,
  parseCloudEventMessage,
  type ParsedCloudEvent,
} from './cloud-events';
import { InboxBatch, type IdempotentBatchHandler, type InboxEvent } from './inbox-batch';
import type {
  BatchControl,
  ConsumedBatch,
  ConsumedMessage,
  MessageBus,
  MessageConsumer,
  MessageProducer,
} from './message-bus.port';
import { quoteSchema } from './messaging.migrations';
import { errorMessage, silentLogger, type MessagingLogger } from './messaging-logger';
import { isTransientDatabaseError } from './transient-database-error';

/**
 * Runs inside the transaction that records the event in the inbox: write the effect through `tx`
 * (and nothing outside it) and both commit together, or neither does.
 */
export type IdempotentHandler = (
  event: ParsedCloudEvent,
  tx: PoolClient,
  message: ConsumedMessage,
) => Promise<void>;

export interface IdempotentConsumerOptions {
  readonly pool: Pool;
  readonly bus: MessageBus;
  /** Where the inbox table lives (migrateMessaging). */
  readonly schema: string;
  /** The Kafka consumer group and the inbox's namespace for event ids. Used exactly as given. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /** One message per transaction. Exactly one of `handler` and `batchHandler`. */
  readonly handler?: IdempotentHandler;
  /**
   * A fetched batch per transaction (kafkajs `eachBatch`): the not-yet-handled events of a run of
   * valid messages, their effects and inbox rows committed together, then their offsets. When the
   * handler fails, that run is handled again one message at a time (attempts, backoff, DLQ as
   * with `handler`), so one poison message costs its batch speed, never the other messages.
   */
  readonly batchHandler?: IdempotentBatchHandler;
  /** Handler runs per message before it is dead-lettered. Default 5. */
  readonly maxAttempts?: number;
  /** Between attempts (and between retries of transient failures). Default 200 ms doubling to 10 s. */
  readonly backoff?: BackoffOptions;
  /** Default `<groupId>.dlq`. */
  readonly dlqTopic?: string;
  /** Create the DLQ topic (1 partition) at start when it does not exist. Default true. */
  readonly ensureDlqTopic?: boolean;
  readonly logger?: MessagingLogger;
  /** Default true: a new group starts at the beginning of its topics. */
  readonly fromBeginning?: boolean;
  /** Default 1. Ordering per key holds either way (a key lives on one partition). */
  readonly partitionsConsumedConcurrently?: number;
}

export interface IdempotentConsumerStats {
  /** Messages whose handler committed. */
  readonly handled: number;
  /** Messages skipped because their event id was already in the inbox. */
  readonly duplicates: number;
  readonly deadLettered: number;
  /** Handler runs that failed (each retried or dead-lettered). */
  readonly failedAttempts: number;
}

/** Headers added to a dead-lettered message (the original headers, key and value are kept). */
export const DLQ_HEADERS = {
  error: 'dlq_error',
  attempts: 'dlq_attempts',
  consumerGroup: 'dlq_consumer_group',
  originalTopic: 'dlq_original_topic',
  originalPartition: 'dlq_original_partition',
  originalOffset: 'dlq_original_offset',
  failedAt: 'dlq_failed_at',
} as const;

const MAX_ERROR_HEADER_LENGTH = 4_000;

class ConsumerStopping extends Error {
  constructor() {
    super('consumer stopping: message left uncommitted for redelivery');
    this.name = 'ConsumerStopping';
  }
}

type Outcome =
  | { readonly kind: 'handled' }
  | { readonly kind: 'duplicate' }
  // The handler's fault: counted towards maxAttempts.
  | { readonly kind: 'failed'; readonly error: unknown }
  // The database's (or the setup's): retried without counting.
  | { readonly kind: 'retry'; readonly error: unknown };

/**
 * Exactly-once effects over at-least-once delivery. Each message runs in one transaction: insert
 * (group, event id) into the inbox — if it is already there, commit and skip — then the handler,
 * then commit; only then is the Kafka offset committed. A redelivered message therefore finds its
 * inbox row and changes nothing. A handler that keeps failing is retried with exponential backoff
 * up to `maxAttempts`, then the original message goes to the DLQ topic with the failure in
 * `dlq_*` headers and the consumer moves on. A message that is not a valid CloudEvent goes to the
 * DLQ at once (dlq_attempts 0). Database outages and serialization conflicts do not count as
 * attempts: they are retried until they pass or the consumer stops.
 */
export class IdempotentConsumer {
  private readonly maxAttempts: number;
  private readonly backoff: BackoffOptions;
  private readonly dlqTopic: string;
  private readonly logger: MessagingLogger;
  private readonly insertInbox: string;
  private readonly inboxBatch: InboxBatch;
  private consumer?: MessageConsumer;
  private producer?: MessageProducer;
  private stopController = new AbortController();
  private counters = { handled: 0, duplicates: 0, deadLettered: 0, failedAttempts: 0 };

  constructor(private readonly options: IdempotentConsumerOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1)
      throw new Error(`invalid maxAttempts ${this.maxAttempts}`);
    this.backoff = options.backoff ?? { initialMs: 200, maxMs: 10_000 };
    this.dlqTopic = options.dlqTopic ?? `${options.groupId}.dlq`;
    this.logger = options.logger ?? silentLogger;
    this.insertInbox = `INSERT INTO ${quoteSchema(options.schema)}.inbox (consumer_group, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`;
    this.inboxBatch = new InboxBatch(options.pool, options.schema, options.groupId);
    if ((options.handler === undefined) === (options.batchHandler === undefined))
      throw new Error(`consumer ${options.groupId}: give exactly one of handler and batchHandler`);
  }

  get stats(): IdempotentConsumerStats {
    return { ...this.counters };
  }

  get deadLetterTopic(): string {
    return this.dlqTopic;
  }

  /** Joins the group and starts handling; resolves once the consumer runs. */
  async start(): Promise<void> {
    if (this.consumer) throw new Error(`consumer ${this.options.groupId} already started`);
    const { bus, groupId, topics } = this.options;
    if (this.options.ensureDlqTopic ?? true) {
      await bus
        .admin()
        .ensureTopics([{ topic: this.dlqTopic, partitions: 1 }])
        .catch((error: unknown) =>
          this.logger.warn(
            { groupId, dlqTopic: this.dlqTopic, error: errorMessage(error) },
            'could not ensure the DLQ topic',
          ),
        );
    }
    this.stopController = new AbortController();
    this.producer = bus.producer();
    this.consumer = bus.consumer({
      groupId,
      topics,
      fromBeginning: this.options.fromBeginning ?? true,
      ...(this.options.partitionsConsumedConcurrently
        ? { partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently }
        : {}),
    });
    const stop = this.stopController.signal;
    const batchHandler = this.options.batchHandler;
    if (batchHandler)
      await this.consumer.runBatches((batch, control) =>
        this.handleBatch(batch, control, batchHandler, stop),
      );
    else await this.consumer.run((message) => this.handle(message, stop));
  }

  /**
   * Runs of valid messages go through `batchHandler` in one transaction each; a message that is
   * not a CloudEvent is dead-lettered where it stands. A run whose handler fails is handled one
   * message at a time. Offsets are resolved as the messages are handled, so stopping midway
   * leaves only the rest for redelivery.
   */
  private async handleBatch(
    batch: ConsumedBatch,
    control: BatchControl,
    handler: IdempotentBatchHandler,
    stop: AbortSignal,
  ): Promise<void> {
    const { messages } = batch;
    let i = 0;
    while (i < messages.length) {
      if (stop.aborted || !control.isRunning()) return;
      const first = messages[i] as ConsumedMessage;
      const run: InboxEvent[] = [];
      let invalid: InvalidCloudEventError | undefined;
      for (; i < messages.length; i++) {
        const message = messages[i] as ConsumedMessage;
        try {
          run.push({ event: parseCloudEventMessage(message), message });
        } catch (error) {
          if (!(error instanceof InvalidCloudEventError)) throw error;
          if (run.length > 0) break;
          invalid = error;
          i++;
          break;
        }
      }
      if (invalid) {
        await this.deadLetter(first, invalid, 0, stop);
        control.resolveOffset(first.offset);
        continue;
      }
      if (await this.handleRun(run, handler, stop)) {
        control.resolveOffset((run[run.length - 1] as InboxEvent).message.offset);
        await control.heartbeat();
        continue;
      }
      // The run failed as a whole: one message at a time, each with its own attempts and DLQ.
      for (const item of run) {
        if (stop.aborted || !control.isRunning()) return;
        await this.handleOne(item, handler, stop);
        control.resolveOffset(item.message.offset);
      }
      await control.heartbeat();
    }
  }

  /** One transaction for the run, retried while the database is the problem; false: the handler failed. */
  private async handleRun(
    run: readonly InboxEvent[],
    handler: IdempotentBatchHandler,
    stop: AbortSignal,
  ): Promise<boolean> {
    for (let transientFailures = 1; ; transientFailures++) {
      if (stop.aborted) throw new ConsumerStopping();
      const outcome = await this.inboxBatch.attempt(run, handler);
      if (outcome.kind === 'handled') {
        this.counters.handled += outcome.handled;
        this.counters.duplicates += outcome.duplicates;
        await this.afterCommit(outcome.afterCommit);
        return true;
      }
      if (outcome.kind === 'failed') {
        this.counters.failedAttempts++;
        this.logger.warn(
          {
            groupId: this.options.groupId,
            messages: run.length,
            firstOffset: run[0]?.message.offset,
            error: errorMessage(outcome.error),
          },
          'batch handler failed; handling the batch one message at a time',
        );
        return false;
      }
      this.logger.warn(
        {
          groupId: this.options.groupId,
          error: errorMessage(outcome.error),
          retries: transientFailures,
        },
        'database unavailable or transaction conflict; retrying the batch (not counted as an attempt)',
      );
      await sleep(backoffDelay(transientFailures, this.backoff), stop);
    }
  }

  /** One message through the batch handler, with attempts, backoff and the DLQ. */
  private async handleOne(
    item: InboxEvent,
    handler: IdempotentBatchHandler,
    stop: AbortSignal,
  ): Promise<void> {
    await this.withAttempts(item.event, item.message, stop, async () => {
      const outcome = await this.inboxBatch.attempt([item], handler);
      if (outcome.kind !== 'handled') return outcome;
      await this.afterCommit(outcome.afterCommit);
      return { kind: outcome.handled > 0 ? 'handled' : 'duplicate' };
    });
  }

  private async afterCommit(work: (() => Promise<void>) | undefined): Promise<void> {
    if (!work) return;
    try {
      await work();
    } catch (error) {
      this.logger.warn(
        { groupId: this.options.groupId, error: errorMessage(error) },
        'work after the inbox commit failed',
      );
    }
  }

  /** A message in backoff is abandoned uncommitted (it is redelivered); handled offsets are committed. */
  async stop(): Promise<void> {
    this.stopController.abort();
    const consumer = this.consumer;
    const producer = this.producer;
    this.consumer = undefined;
    this.producer = undefined;
    await consumer?.disconnect();
    await producer?.disconnect();
  }

  private async handle(message: ConsumedMessage, stop: AbortSignal): Promise<void> {
    let event: ParsedCloudEvent;
    try {
      event = parseCloudEventMessage(message);
    } catch (error) {
      if (!(error instanceof InvalidCloudEventError)) throw error;
      await this.deadLetter(message, error, 0, stop);
      return;
    }
    await this.withAttempts(event, message, stop, () => this.attempt(event, message));
  }

  /** Runs `attempt` until it handles the event: transient failures retried, the handler's counted, then the DLQ. */
  private async withAttempts(
    event: ParsedCloudEvent,
    message: ConsumedMessage,
    stop: AbortSignal,
    attempt: () => Promise<Outcome>,
  ): Promise<void> {
    let attempts = 0;
    let transientFailures = 0;
    for (;;) {
      if (stop.aborted) throw new ConsumerStopping();
      const outcome = await attempt();
      if (outcome.kind === 'handled' || outcome.kind === 'duplicate') {
        this.counters[outcome.kind === 'handled' ? 'handled' : 'duplicates']++;
        return;
      }
      const context = {
        groupId: this.options.groupId,
        eventId: event.id,
        type: event.type,
        topic: message.topic,
        offset: message.offset,
      };
      if (outcome.kind === 'retry') {
        transientFailures++;
        this.logger.warn(
          { ...context, error: errorMessage(outcome.error), retries: transientFailures },
          'database unavailable or transaction conflict; retrying (not counted as an attempt)',
        );
        await sleep(backoffDelay(transientFailures, this.backoff), stop);
        continue;
      }
      attempts++;
      this.counters.failedAttempts++;
      if (attempts >= this.maxAttempts) {
        this.logger.error(
          { ...context, error: errorMessage(outcome.error), attempts },
          'handler failed on every attempt; dead-lettering',
        );
        await this.deadLetter(message, outcome.error, attempts, stop);
        return;
      }
      const delay = backoffDelay(attempts, this.backoff);
      this.logger.warn(
        { ...context, error: errorMessage(outcome.error), attempts, retryInMs: delay },
        'handler failed; retrying',
      );
      await sleep(delay, stop);
    }
  }

  private async attempt(event: ParsedCloudEvent, message: ConsumedMessage): Promise<Outcome> {
    let client: PoolClient;
    try {
      client = await this.options.pool.connect();
    } catch (error) {
      return { kind: 'retry', error };
    }
    let inHandler = false;
    let broken = false;
    try {
      await client.query('BEGIN');
      const inserted = await client.query(this.insertInbox, [this.options.groupId, event.id]);
      if (inserted.rowCount === 0) {
        await client.query('COMMIT');
        return { kind: 'duplicate' };
      }
      inHandler = true;
      await (this.options.handler as IdempotentHandler)(event, client, message);
      const commit = await client.query('COMMIT');
      // A handler that swallowed a failed statement leaves the transaction aborted, and COMMIT
      // then quietly rolls back: that must count as a failure, not as handled.
      if (commit.command !== 'COMMIT')
        throw new Error('the transaction was rolled back: a statement in the handler failed');
      return { kind: 'handled' };
    } catch (error) {
      const transient = isTransientDatabaseError(error);
      broken = transient;
      await client.query('ROLLBACK').catch(() => (broken = true));
      return { kind: inHandler && !transient ? 'failed' : 'retry', error };
    } finally {
      client.release(broken);
    }
  }

  private async deadLetter(
    message: ConsumedMessage,
    error: unknown,
    attempts: number,
    stop: AbortSignal,
  ): Promise<void> {
    const headers: Record<string, string> = {
      ...message.headers,
      [DLQ_HEADERS.error]: errorMessage(error).slice(0, MAX_ERROR_HEADER_LENGTH),
      [DLQ_HEADERS.attempts]: String(attempts),
      [DLQ_HEADERS.consumerGroup]: this.options.groupId,
      [DLQ_HEADERS.originalTopic]: message.topic,
      [DLQ_HEADERS.originalPartition]: String(message.partition),
      [DLQ_HEADERS.originalOffset]: message.offset,
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    };
    const context = {
      groupId: this.options.groupId,
      dlqTopic: this.dlqTopic,
      topic: message.topic,
      offset: message.offset,
    };
    for (let sendAttempt = 1; ; sendAttempt++) {
      if (stop.aborted || !this.producer) throw new ConsumerStopping();
      try {
        await this.producer.send(this.dlqTopic, [
          { key: message.key, value: message.value, headers },
        ]);
        this.counters.deadLettered++;
        this.logger.warn(
          { ...context, attempts, error: headers[DLQ_HEADERS.error] },
          'message dead-lettered',
        );
        return;
      } catch (sendError) {
        // Never move past a message that is neither handled nor in the DLQ.
        this.logger.error(
          { ...context, error: errorMessage(sendError), sendAttempt },
          'dead-lettering failed; retrying',
        );
        await sleep(backoffDelay(sendAttempt, this.backoff), stop);
      }
    }
  }
}
