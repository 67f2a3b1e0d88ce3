import { backoffDelay, sleep } from './backoff';
import { nextBatchRun } from './batch-runs';
import { ConsumerStopping } from './dead-letter';
import type { IdempotentBatchHandler, InboxBatch, InboxEvent } from './inbox-batch';
import { withAttempts, type AttemptPolicy } from './message-attempts';
import type { BatchControl, ConsumedBatch } from './message-bus.port';
import { errorMessage } from './messaging-logger';

/** The batch mode of IdempotentConsumer (`batchHandler`): a run of valid messages per transaction. */
export class BatchConsumption {
  constructor(
    private readonly policy: AttemptPolicy,
    private readonly inboxBatch: InboxBatch,
    private readonly handler: IdempotentBatchHandler,
    private readonly maxRun = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Runs of valid messages (at most `maxRun` each) go through the batch handler in one transaction
   * each; a message that is not a CloudEvent is dead-lettered where it stands. A run whose handler fails is handled one
   * message at a time. Offsets are resolved as the messages are handled, so stopping midway
   * leaves only the rest for redelivery.
   */
  async handleBatch(batch: ConsumedBatch, control: BatchControl, stop: AbortSignal): Promise<void> {
    const { messages } = batch;
    let i = 0;
    while (i < messages.length) {
      if (stop.aborted || !control.isRunning()) return;
      const next = nextBatchRun(messages, i, this.maxRun);
      i = next.next;
      if (next.kind === 'invalid') {
        await this.policy.deadLetters.send(next.message, next.error, 0, stop);
        control.resolveOffset(next.message.offset);
        continue;
      }
      const { run } = next;
      if (await this.handleRun(run, stop)) {
        control.resolveOffset((run[run.length - 1] as InboxEvent).message.offset);
        await control.heartbeat();
        continue;
      }
      // The run failed as a whole: one message at a time, each with its own attempts and DLQ.
      for (const item of run) {
        if (stop.aborted || !control.isRunning()) return;
        await this.handleOne(item, stop);
        control.resolveOffset(item.message.offset);
      }
      await control.heartbeat();
    }
  }

  /** One transaction for the run, retried while the database is the problem; false: the handler failed. */
  private async handleRun(run: readonly InboxEvent[], stop: AbortSignal): Promise<boolean> {
    const { counters, logger, groupId } = this.policy;
    for (let transientFailures = 1; ; transientFailures++) {
      if (stop.aborted) throw new ConsumerStopping();
      const outcome = await this.inboxBatch.attempt(run, this.handler);
      if (outcome.kind === 'handled') {
        counters.handled += outcome.handled;
        counters.duplicates += outcome.duplicates;
        await this.afterCommit(outcome.afterCommit);
        return true;
      }
      if (outcome.kind === 'failed') {
        counters.failedAttempts++;
        logger.warn(
          {
            groupId,
            messages: run.length,
            firstOffset: run[0]?.message.offset,
            error: errorMessage(outcome.error),
          },
          'batch handler failed; handling the batch one message at a time',
        );
        return false;
      }
      logger.warn(
        { groupId, error: errorMessage(outcome.error), retries: transientFailures },
        'database unavailable or transaction conflict; retrying the batch (not counted as an attempt)',
      );
      await sleep(backoffDelay(transientFailures, this.policy.backoff), stop);
    }
  }

  /** One message through the batch handler, with attempts, backoff and the DLQ. */
  private async handleOne(item: InboxEvent, stop: AbortSignal): Promise<void> {
    await withAttempts(this.policy, item.event, item.message, stop, async () => {
      const outcome = await this.inboxBatch.attempt([item], this.handler);
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
      this.policy.logger.warn(
        { groupId: this.policy.groupId, error: errorMessage(error) },
        'work after the inbox commit failed',
      );
    }
  }
}
