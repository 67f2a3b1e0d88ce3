// The only file that imports kafkajs (see message-bus.port.ts).
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { Consumer, IHeaders, KafkaMessage, LogEntry, Producer } from 'kafkajs';
import type {
  BatchHandler,
  ConsumedMessage,
  ConsumerOptions,
  MessageAdmin,
  MessageBus,
  MessageConsumer,
  MessageHandler,
  MessageProducer,
  OutgoingMessage,
  TopicSpec,
} from './message-bus.port';
import { errorMessage, type MessagingLogger } from './messaging-logger';

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface KafkaMessageBusOptions {
  readonly brokers: readonly string[];
  /** Used exactly as given (no suffixing), for every producer, consumer and admin of this bus. */
  readonly clientId: string;
  /** kafkajs's own logs go here; without a logger kafkajs logs nothing. */
  readonly logger?: MessagingLogger;
  /** The least severe kafkajs log passed to `logger`. Default 'warn'. */
  readonly logLevel?: KafkaLogLevel;
  /** Default 3000 ms. */
  readonly connectionTimeoutMs?: number;
  /** Default 30000 ms. */
  readonly requestTimeoutMs?: number;
  /**
   * How long kafkajs retries one operation (connecting to a broker, one send) before it rejects.
   * Bounded on purpose: the callers (relay, dead-lettering) retry with their own backoff and can be
   * stopped meanwhile. Default 5 retries from 100 ms, at most 2000 ms apart.
   */
  readonly retry?: {
    readonly retries: number;
    readonly initialRetryTimeMs: number;
    readonly maxRetryTimeMs: number;
  };
  /** Consumers commit after this many handled messages (and at stop/rebalance). Default 1: after each. */
  readonly commitEveryMessages?: number;
  /**
   * How long an idle fetch waits at the broker for new messages. A consumer's stop() waits for the
   * fetch in flight, so this is also the longest shutdown delay. Default 1000 ms (kafkajs: 5000).
   */
  readonly consumerMaxWaitMs?: number;
}

const KAFKA_LEVELS: Record<KafkaLogLevel, logLevel> = {
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

// We bound the idempotent producer's retries deliberately (see `retry` and KafkaJsProducer), so
// kafkajs's warning about it, printed for every producer, says nothing an operator can act on.
const BOUNDED_RETRIES_WARNING =
  'Limiting retries for the idempotent producer may invalidate EoS guarantees';

export function createKafkaMessageBus(options: KafkaMessageBusOptions): MessageBus {
  const { logger } = options;
  const retry = options.retry ?? { retries: 5, initialRetryTimeMs: 100, maxRetryTimeMs: 2_000 };
  const kafkaRetry = {
    retries: retry.retries,
    initialRetryTime: retry.initialRetryTimeMs,
    maxRetryTime: retry.maxRetryTimeMs,
  };
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: kafkaRetry,
    logLevel: logger ? KAFKA_LEVELS[options.logLevel ?? 'warn'] : logLevel.NOTHING,
    ...(logger
      ? { logCreator: () => (entry: LogEntry) => forwardLog(logger, options.clientId, entry) }
      : {}),
  });
  return {
    producer: () =>
      new KafkaJsProducer(() =>
        kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          retry: kafkaRetry,
          // Java-compatible murmur2 on the key, so a key maps to the same partition in every client.
          createPartitioner: Partitioners.DefaultPartitioner,
        }),
      ),
    consumer: (consumerOptions) =>
      new KafkaJsConsumer(
        kafka,
        consumerOptions,
        {
          commitEveryMessages: options.commitEveryMessages ?? 1,
          maxWaitTimeInMs: options.consumerMaxWaitMs ?? 1_000,
        },
        logger,
      ),
    admin: () => new KafkaJsAdmin(kafka),
  };
}

function forwardLog(logger: MessagingLogger, clientId: string, entry: LogEntry): void {
  const { message, ...extra } = entry.log as { message: string } & Record<string, unknown>;
  if (message === BOUNDED_RETRIES_WARNING) return;
  delete extra['timestamp']; // the logger stamps its own
  const context = { kafka: entry.namespace, clientId, ...extra };
  if (entry.level === logLevel.ERROR) logger.error(context, message);
  else if (entry.level === logLevel.WARN) logger.warn(context, message);
  else if (entry.level === logLevel.INFO) logger.info(context, message);
  else logger.debug(context, message);
}

/**
 * Connects lazily and starts a new idempotent session after any failed send: the failed request's
 * sequence numbers may or may not have been written, and a fresh producer id cannot collide with
 * them, so the caller's re-send is written (possibly as duplicates) instead of being refused as out
 * of sequence forever.
 */
class KafkaJsProducer implements MessageProducer {
  private current?: Promise<Producer>;
  private closed = false;

  constructor(private readonly create: () => Producer) {}

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closed) throw new Error('producer is disconnected');
    if (messages.length === 0) return;
    const session = (this.current ??= this.connect());
    try {
      const producer = await session;
      await producer.send({
        topic,
        acks: -1,
        messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
      });
    } catch (error) {
      if (this.current === session) this.current = undefined;
      void session.then((producer) => producer.disconnect()).catch(() => undefined);
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    const session = this.current;
    this.current = undefined;
    const producer = await session?.catch(() => undefined);
    await producer?.disconnect();
  }

  private async connect(): Promise<Producer> {
    const producer = this.create();
    await producer.connect();
    return producer;
  }
}

const RESTART_INITIAL_MS = 500;
const RESTART_MAX_MS = 30_000;

/**
 * kafkajs restarts a crashed consumer only after errors it deems retriable; after others (seen:
 * "Failed to find group coordinator" while a restarted broker loads its offsets) the consumer stays
 * down for good. Here every crash is followed by a fresh consumer, with a doubling delay that resets
 * once the group is joined, until stop().
 */
/** What one consumer delivers to: a message at a time, or a fetched batch at a time. */
type Delivery =
  | { readonly kind: 'message'; readonly handler: MessageHandler }
  | { readonly kind: 'batch'; readonly handler: BatchHandler };

class KafkaJsConsumer implements MessageConsumer {
  private consumer?: Consumer;
  private handler?: Delivery;
  private paused = false;
  private stopped = false;
  private restarts = 0;
  private restartTimer?: NodeJS.Timeout;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ConsumerOptions,
    private readonly settings: {
      readonly commitEveryMessages: number;
      readonly maxWaitTimeInMs: number;
    },
    private readonly logger: MessagingLogger | undefined,
  ) {
    if (!options.groupId) throw new Error('consumer: groupId is required');
    if (options.topics.length === 0) throw new Error('consumer: at least one topic is required');
  }

  run(handler: MessageHandler): Promise<void> {
    return this.start({ kind: 'message', handler });
  }

  runBatches(handler: BatchHandler): Promise<void> {
    return this.start({ kind: 'batch', handler });
  }

  private async start(handler: Delivery): Promise<void> {
    if (this.handler) throw new Error(`consumer ${this.options.groupId} is already running`);
    if (this.stopped) throw new Error(`consumer ${this.options.groupId} is stopped`);
    this.handler = handler;
    try {
      await this.startConsumer(handler);
    } catch (error) {
      this.handler = undefined;
      throw error;
    }
  }

  pause(): void {
    this.paused = true;
    this.consumer?.pause(this.options.topics.map((topic) => ({ topic })));
  }

  resume(): void {
    this.paused = false;
    this.consumer?.resume(this.options.topics.map((topic) => ({ topic })));
  }

  // kafkajs's stop lets the current message finish and commits the resolved offsets before leaving.
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.consumer?.stop();
  }

  async disconnect(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.consumer?.disconnect();
  }

  private async startConsumer(delivery: Delivery): Promise<void> {
    const { groupId } = this.options;
    const consumer = this.kafka.consumer({
      groupId,
      maxWaitTimeInMs: this.settings.maxWaitTimeInMs,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => (this.restarts = 0));
    consumer.on(consumer.events.CRASH, (event) => {
      const { restart, error } = event.payload;
      this.logger?.error(
        { groupId, restart, error: errorMessage(error) },
        'Kafka consumer crashed',
      );
      if (!restart && this.consumer === consumer) this.restartLater(delivery);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: [...this.options.topics],
        fromBeginning: this.options.fromBeginning ?? true,
      });
      await consumer.run({
        autoCommit: true,
        autoCommitThreshold: this.settings.commitEveryMessages,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
        ...(delivery.kind === 'message'
          ? {
              eachMessage: ({ topic, partition, message }) =>
                delivery.handler(toConsumedMessage(topic, partition, message)),
            }
          : {
              // Offsets are resolved by the handler as it goes, so a batch cut short by stop() or a
              // failure commits exactly what was handled.
              eachBatchAutoResolve: false,
              eachBatch: ({ batch, resolveOffset, heartbeat, isRunning, isStale }) =>
                delivery.handler(
                  {
                    topic: batch.topic,
                    partition: batch.partition,
                    messages: batch.messages.map((m) =>
                      toConsumedMessage(batch.topic, batch.partition, m),
                    ),
                  },
                  { resolveOffset, heartbeat, isRunning: () => isRunning() && !isStale() },
                ),
            }),
      });
    } catch (error) {
      if (this.consumer === consumer) this.consumer = undefined;
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    if (this.paused) this.pause();
  }

  private restartLater(delivery: Delivery): void {
    if (this.stopped || this.restartTimer) return;
    this.restarts++;
    const delay = Math.min(
      RESTART_MAX_MS,
      RESTART_INITIAL_MS * 2 ** Math.min(this.restarts - 1, 10),
    );
    this.logger?.warn(
      { groupId: this.options.groupId, inMs: delay, restarts: this.restarts },
      'restarting the Kafka consumer',
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      this.startConsumer(delivery).catch((error: unknown) => {
        this.logger?.error(
          { groupId: this.options.groupId, error: errorMessage(error) },
          'Kafka consumer restart failed',
        );
        this.restartLater(delivery);
      });
    }, delay);
  }
}

class KafkaJsAdmin implements MessageAdmin {
  constructor(private readonly kafka: Kafka) {}

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    if (topics.length === 0) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.topic));
      if (missing.length === 0) return;
      // Resolves false when a concurrent creator won the race: fine too.
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? 1,
          ...(t.config
            ? { configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })) }
            : {}),
        })),
      });
    } finally {
      await admin.disconnect();
    }
  }

  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    if (groupIds.length === 0) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteGroups([...groupIds]);
    } catch (error) {
      const refused = (error as { groups?: readonly DeleteGroupFailure[] }).groups;
      if (!refused) throw error;
      const failures = refused.filter((g) => g.error?.type !== 'GROUP_ID_NOT_FOUND');
      if (failures.length > 0)
        throw new Error(
          `could not delete consumer groups: ${failures.map((g) => `${g.groupId} (${g.error?.type ?? `error code ${g.errorCode}`})`).join(', ')}`,
        );
    } finally {
      await admin.disconnect();
    }
  }
}

/** One group kafkajs's KafkaJSDeleteGroupsError lists. */
interface DeleteGroupFailure {
  readonly groupId: string;
  readonly errorCode: number;
  readonly error?: { readonly type?: string };
}

function toConsumedMessage(
  topic: string,
  partition: number,
  message: KafkaMessage,
): ConsumedMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value,
    headers: headerStrings(message.headers),
  };
}

function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    // A header repeated in one record: the last one wins, as in most Kafka clients' lastHeader().
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined)
      result[name] = typeof value === 'string' ? value : value.toString('utf8');
  }
  return result;
}
