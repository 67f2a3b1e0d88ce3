import { InvalidCloudEventError, parseCloudEventMessage } from './cloud-event.parse';
import type { InboxEvent } from './inbox-batch';
import type { ConsumedMessage } from './message-bus.port';

/** The next stretch of a fetched batch: a run of valid CloudEvents, or one message that is not one. */
export type BatchRun =
  | { readonly kind: 'run'; readonly run: readonly InboxEvent[]; readonly next: number }
  | {
      readonly kind: 'invalid';
      readonly message: ConsumedMessage;
      readonly error: InvalidCloudEventError;
      readonly next: number;
    };

/**
 * Parses `messages` from index `from` (which must be in range) up to the first message that is not
 * a valid CloudEvent, or until the run holds `maxRun` events. A run never includes an invalid
 * message; an invalid message at `from` is returned on its own. `next` is the index to continue
 * from. Other parse errors propagate.
 */
export function nextBatchRun(
  messages: readonly ConsumedMessage[],
  from: number,
  maxRun = Number.POSITIVE_INFINITY,
): BatchRun {
  const run: InboxEvent[] = [];
  for (let i = from; i < messages.length; i++) {
    if (run.length >= maxRun) return { kind: 'run', run, next: i };
    const message = messages[i] as ConsumedMessage;
    try {
      run.push({ event: parseCloudEventMessage(message), message });
    } catch (error) {
      if (!(error instanceof InvalidCloudEventError)) throw error;
      if (run.length > 0) return { kind: 'run', run, next: i };
      return { kind: 'invalid', message, error, next: i + 1 };
    }
  }
  return { kind: 'run', run, next: messages.length };
}
