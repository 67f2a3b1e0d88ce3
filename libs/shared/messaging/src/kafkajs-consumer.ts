// The kafkajs adapter of the message bus (see message-bus.port.ts): the consumer.
import type { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type {
  BatchHandler,
  ConsumedMessage,
  ConsumerOptions,
  MessageConsumer,
  MessageHandler,
} from './message-bus.port';
import { errorMessage, type MessagingLogger } from './messaging-logger';

/** The bus-wide consumer settings (KafkaMessageBusOptions). */
export interface KafkaJsConsumerSettings {
  readonly commitEveryMessages: number;
  readonly maxWaitTimeInMs: number;
}

const RESTART_INITIAL_MS = 500;
const RESTART_MAX_MS = 30_000;
/** How long leaving waits for a group join in flight (a broker that never answers: the bound). */
const JOIN_WAIT_MS = 5_000;

/** What one consumer delivers to: a message at a time, or a fetched batch at a time. */
type Delivery =
  | { readonly kind: 'message'; readonly handler: MessageHandler }
  | { readonly kind: 'batch'; readonly handler: BatchHandler };

/**
 * kafkajs restarts a crashed consumer only after errors it deems retriable; after others (seen:
 * "Failed to find group coordinator" while a restarted broker loads its offsets) the consumer stays
 * down for good. Here every crash is followed by a fresh consumer, with a doubling delay that resets
 * once the group is joined, until stop().
 */
export class KafkaJsConsumer implements MessageConsumer {
  private consumer?: Consumer;
  private handler?: Delivery;
  private paused = false;
  private stopped = false;
  private restarts = 0;
  private restartTimer?: NodeJS.Timeout;
  /** Settles when the current consumer has joined its group or crashed (a join is over). */
  private joinOver: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ConsumerOptions,
    private readonly settings: KafkaJsConsumerSettings,
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
    await this.joinSettled();
    await this.consumer?.stop();
  }

  async disconnect(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.joinSettled();
    await this.consumer?.disconnect();
  }

  /**
   * kafkajs's run() returns before the group is joined, and a disconnect during the join leaves
   * the join running (its metadata requests outlive the client). Leaving waits for it, bounded.
   */
  private async joinSettled(): Promise<void> {
    if (!this.consumer) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.joinOver,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, JOIN_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }

  private async startConsumer(delivery: Delivery): Promise<void> {
    const { groupId } = this.options;
    const consumer = this.kafka.consumer({
      groupId,
      maxWaitTimeInMs: this.settings.maxWaitTimeInMs,
    });
    this.consumer = consumer;
    let joinOver = () => undefined as void;
    this.joinOver = new Promise<void>((resolve) => (joinOver = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.restarts = 0;
      joinOver();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      joinOver();
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
      joinOver();
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
