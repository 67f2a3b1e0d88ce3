import type { Pool } from 'pg';
import type { BackoffOptions } from './backoff';
import { BatchConsumption } from './batch-consumption';
import {
  InvalidCloudEventError,
  parseCloudEventMessage,
  type ParsedCloudEvent,
} from './cloud-event.parse';
import { DeadLetterQueue } from './dead-letter';
import { topicsOutlivingInbox } from './inbox-retention';
import { InboxBatch, type IdempotentBatchHandler } from './inbox-batch';
import { InboxMessage, type IdempotentHandler } from './inbox-message';
import { withAttempts, type AttemptPolicy, type ConsumerCounters } from './message-attempts';
import type {
  ConsumedMessage,
  MessageBus,
  MessageConsumer,
  MessageProducer,
} from './message-bus.port';
import { errorMessage, silentLogger, type MessagingLogger } from './messaging-logger';

export { DLQ_HEADERS } from './dead-letter';
export type { IdempotentHandler } from './inbox-message';

export interface IdempotentConsumerOptions {
  readonly pool: Pool;
  readonly bus: MessageBus;
  /** Where the inbox table lives (migrateMessaging). */
  readonly schema: string;
  /** The Kafka consumer group and the inbox's namespace for event ids. Used exactly as given. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * How long the inbox keeps handled events (the service's `MESSAGING_INBOX_RETENTION_DAYS`). At
   * start, each consumed topic that can deliver a message for longer is logged as a warning: a
   * redelivery after its inbox row was pruned would be handled twice.
   */
  readonly inboxRetentionDays: number;
  /** One message per transaction. Exactly one of `handler` and `batchHandler`. */
  readonly handler?: IdempotentHandler;
  /**
   * A fetched batch per transaction (kafkajs `eachBatch`): the not-yet-handled events of a run of
   * valid messages, their effects and inbox rows committed together, then their offsets. When the
   * handler fails, that run is handled again one message at a time (attempts, backoff, DLQ as
   * with `handler`), so one poison message costs its batch speed, never the other messages.
   */
  readonly batchHandler?: IdempotentBatchHandler;
  /**
   * With `batchHandler`: events per transaction at most; a larger fetched batch is handled as
   * several runs in order, each committed (and its offset resolved) before the next. A fetched
   * batch is parsed one run at a time, so the database starts on the first run while the next is
   * parsed. Default: the whole fetched batch.
   */
  readonly maxBatchRun?: number;
  /**
   * With `batchHandler`: insert the run's inbox rows before the handler, in the one statement that
   * also finds the duplicates (`INSERT … ON CONFLICT DO NOTHING RETURNING`), instead of a lookup
   * before the handler and an insert after it. The handler's transaction has then written already,
   * so this is only for handlers that need no read before their first write (not for event-store
   * appends, ADR 0003). Default false.
   */
  readonly recordInboxFirst?: boolean;
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
  private readonly dlqTopic: string;
  private readonly logger: MessagingLogger;
  private readonly policy: AttemptPolicy;
  private readonly inboxMessage: InboxMessage;
  private readonly inboxBatch: InboxBatch;
  private consumer?: MessageConsumer;
  private producer?: MessageProducer;
  private stopController = new AbortController();
  private dlqTopicReady: Promise<void> = Promise.resolve();
  /** The start's checks beside the join (neither throws): stop() waits for them. */
  private startChecks: Promise<unknown> = Promise.resolve();
  private readonly counters: ConsumerCounters = {
    handled: 0,
    duplicates: 0,
    deadLettered: 0,
    failedAttempts: 0,
  };

  constructor(private readonly options: IdempotentConsumerOptions) {
    const maxAttempts = options.maxAttempts ?? 5;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
      throw new Error(`invalid maxAttempts ${maxAttempts}`);
    const backoff = options.backoff ?? { initialMs: 200, maxMs: 10_000 };
    this.dlqTopic = options.dlqTopic ?? `${options.groupId}.dlq`;
    this.logger = options.logger ?? silentLogger;
    const deadLetters = new DeadLetterQueue({
      groupId: options.groupId,
      topic: this.dlqTopic,
      backoff,
      logger: this.logger,
      producer: () => this.producer,
      topicReady: () => this.dlqTopicReady,
      onDeadLettered: () => this.counters.deadLettered++,
    });
    this.policy = {
      groupId: options.groupId,
      maxAttempts,
      backoff,
      logger: this.logger,
      counters: this.counters,
      deadLetters,
    };
    this.inboxMessage = new InboxMessage(options.pool, options.schema, options.groupId);
    this.inboxBatch = new InboxBatch(
      options.pool,
      options.schema,
      options.groupId,
      options.recordInboxFirst,
    );
    const maxBatchRun = options.maxBatchRun ?? Number.POSITIVE_INFINITY;
    if (!(maxBatchRun >= 1) || (Number.isFinite(maxBatchRun) && !Number.isInteger(maxBatchRun)))
      throw new Error(`invalid maxBatchRun ${maxBatchRun}`);
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
    // Both run beside the group's join instead of before it (together 150-250 ms of a start): the
    // retention check only warns, and a dead letter waits for the DLQ topic (DeadLetterQueue).
    this.dlqTopicReady =
      (this.options.ensureDlqTopic ?? true)
        ? bus
            .admin()
            .ensureTopics([{ topic: this.dlqTopic, partitions: 1 }])
            .catch((error: unknown) =>
              this.logger.warn(
                { groupId, dlqTopic: this.dlqTopic, error: errorMessage(error) },
                'could not ensure the DLQ topic',
              ),
            )
        : Promise.resolve();
    this.startChecks = Promise.all([this.dlqTopicReady, this.warnIfTopicsOutliveInbox()]);
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
    if (batchHandler) {
      const batches = new BatchConsumption(
        this.policy,
        this.inboxBatch,
        batchHandler,
        this.options.maxBatchRun,
      );
      await this.consumer.runBatches((batch, control) => batches.handleBatch(batch, control, stop));
    } else await this.consumer.run((message) => this.handle(message, stop));
  }

  private async warnIfTopicsOutliveInbox(): Promise<void> {
    const { bus, groupId, topics, inboxRetentionDays } = this.options;
    try {
      const retention = await bus.admin().topicRetention(topics);
      for (const problem of topicsOutlivingInbox(inboxRetentionDays, retention))
        this.logger.warn(
          { groupId, problem },
          'a consumed topic outlives the inbox: a redelivery after its inbox row is pruned would be handled twice; raise MESSAGING_INBOX_RETENTION_DAYS or lower the topic retention',
        );
    } catch (error) {
      this.logger.warn(
        { groupId, topics, error: errorMessage(error) },
        "could not read the consumed topics' retention",
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
    await this.startChecks;
  }

  private async handle(message: ConsumedMessage, stop: AbortSignal): Promise<void> {
    let event: ParsedCloudEvent;
    try {
      event = parseCloudEventMessage(message);
    } catch (error) {
      if (!(error instanceof InvalidCloudEventError)) throw error;
      await this.policy.deadLetters.send(message, error, 0, stop);
      return;
    }
    const handler = this.options.handler as IdempotentHandler;
    await withAttempts(this.policy, event, message, stop, () =>
      this.inboxMessage.attempt(event, message, handler),
    );
  }
}
