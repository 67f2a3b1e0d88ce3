import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import type { ParsedCloudEvent } from './cloud-event.parse';
import { ConsumerStopping, type DeadLetterQueue } from './dead-letter';
import type { ConsumedMessage } from './message-bus.port';
import { errorMessage, type MessagingLogger } from './messaging-logger';

/** The result of one transaction for one message. */
export type MessageOutcome =
  | { readonly kind: 'handled' }
  | { readonly kind: 'duplicate' }
  // The handler's fault: counted towards maxAttempts.
  | { readonly kind: 'failed'; readonly error: unknown }
  // The database's (or the setup's): retried without counting.
  | { readonly kind: 'retry'; readonly error: unknown };

/** The consumer's running totals (IdempotentConsumerStats), updated in place. */
export interface ConsumerCounters {
  handled: number;
  duplicates: number;
  deadLettered: number;
  failedAttempts: number;
}

/** What the retry, backoff and dead-letter path of one consumer shares. */
export interface AttemptPolicy {
  readonly groupId: string;
  readonly maxAttempts: number;
  readonly backoff: BackoffOptions;
  readonly logger: MessagingLogger;
  readonly counters: ConsumerCounters;
  readonly deadLetters: DeadLetterQueue;
}

/**
 * Runs `attempt` until it handles the event: transient failures retried, the handler's counted,
 * then the DLQ.
 */
export async function withAttempts(
  policy: AttemptPolicy,
  event: ParsedCloudEvent,
  message: ConsumedMessage,
  stop: AbortSignal,
  attempt: () => Promise<MessageOutcome>,
): Promise<void> {
  const { counters, logger } = policy;
  let attempts = 0;
  let transientFailures = 0;
  for (;;) {
    if (stop.aborted) throw new ConsumerStopping();
    const outcome = await attempt();
    if (outcome.kind === 'handled' || outcome.kind === 'duplicate') {
      counters[outcome.kind === 'handled' ? 'handled' : 'duplicates']++;
      return;
    }
    const context = {
      groupId: policy.groupId,
      eventId: event.id,
      type: event.type,
      topic: message.topic,
      offset: message.offset,
    };
    if (outcome.kind === 'retry') {
      transientFailures++;
      logger.warn(
        { ...context, error: errorMessage(outcome.error), retries: transientFailures },
        'database unavailable or transaction conflict; retrying (not counted as an attempt)',
      );
      await sleep(backoffDelay(transientFailures, policy.backoff), stop);
      continue;
    }
    attempts++;
    counters.failedAttempts++;
    if (attempts >= policy.maxAttempts) {
      logger.error(
        { ...context, error: errorMessage(outcome.error), attempts },
        'handler failed on every attempt; dead-lettering',
      );
      await policy.deadLetters.send(message, outcome.error, attempts, stop);
      return;
    }
    const delay = backoffDelay(attempts, policy.backoff);
    logger.warn(
      { ...context, error: errorMessage(outcome.error), attempts, retryInMs: delay },
      'handler failed; retrying',
    );
    await sleep(delay, stop);
  }
}
