// The kafkajs adapter of the message bus (see message-bus.port.ts): the bus and its client.
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { LogEntry } from 'kafkajs';
import { KafkaJsAdmin } from './kafkajs-admin';
import { KafkaJsConsumer } from './kafkajs-consumer';
import { KafkaJsProducer } from './kafkajs-producer';
import type { MessageBus } from './message-bus.port';
import type { MessagingLogger } from './messaging-logger';

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
