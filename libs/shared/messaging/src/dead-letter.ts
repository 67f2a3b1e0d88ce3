import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import type { ConsumedMessage, MessageProducer } from './message-bus.port';
import { errorMessage, type MessagingLogger } from './messaging-logger';

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

/** Thrown to leave the current message uncommitted (it is redelivered) when the consumer stops. */
export class ConsumerStopping extends Error {
  constructor() {
    super('consumer stopping: message left uncommitted for redelivery');
    this.name = 'ConsumerStopping';
  }
}

export interface DeadLetterQueueOptions {
  readonly groupId: string;
  readonly topic: string;
  readonly backoff: BackoffOptions;
  readonly logger: MessagingLogger;
  /** The consumer's producer while it runs; undefined once it stops. */
  readonly producer: () => MessageProducer | undefined;
  /** Settles once the consumer's start has ensured the DLQ topic (or failed to, and warned). */
  readonly topicReady?: () => Promise<void>;
  /** Called once per message sent to the DLQ. */
  readonly onDeadLettered: () => void;
}

/** Sends a message the consumer gives up on to the DLQ topic, with the failure in `dlq_*` headers. */
export class DeadLetterQueue {
  constructor(private readonly options: DeadLetterQueueOptions) {}

  /** Retries the send until it succeeds or the consumer stops: never moves past a message silently. */
  async send(
    message: ConsumedMessage,
    error: unknown,
    attempts: number,
    stop: AbortSignal,
  ): Promise<void> {
    const { groupId, topic, backoff, logger } = this.options;
    const headers: Record<string, string> = {
      ...message.headers,
      [DLQ_HEADERS.error]: errorMessage(error).slice(0, MAX_ERROR_HEADER_LENGTH),
      [DLQ_HEADERS.attempts]: String(attempts),
      [DLQ_HEADERS.consumerGroup]: groupId,
      [DLQ_HEADERS.originalTopic]: message.topic,
      [DLQ_HEADERS.originalPartition]: String(message.partition),
      [DLQ_HEADERS.originalOffset]: message.offset,
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    };
    const context = { groupId, dlqTopic: topic, topic: message.topic, offset: message.offset };
    await this.options.topicReady?.();
    for (let sendAttempt = 1; ; sendAttempt++) {
      const producer = this.options.producer();
      if (stop.aborted || !producer) throw new ConsumerStopping();
      try {
        await producer.send(topic, [{ key: message.key, value: message.value, headers }]);
        this.options.onDeadLettered();
        logger.warn(
          { ...context, attempts, error: headers[DLQ_HEADERS.error] },
          'message dead-lettered',
        );
        return;
      } catch (sendError) {
        // Never move past a message that is neither handled nor in the DLQ.
        logger.error(
          { ...context, error: errorMessage(sendError), sendAttempt },
          'dead-lettering failed; retrying',
        );
        await sleep(backoffDelay(sendAttempt, backoff), stop);
      }
    }
  }
}
