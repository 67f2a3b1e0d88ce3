import { randomUUID } from 'node:crypto';
import type { AppendResult, Checkpoint, NewEvent } from '@trainyard/event-store';
import { apiVersionKeyOf } from '../api-version.projection';
import { isApiVersionEvent, isWorkloadEvent, type ProjectedEvent } from '../projected-event';
import { releaseKeyOf } from '../release.projection';

/** The stream a scenario event belongs to, named as the service names them. */
export const scenarioStreamOf = ({ event }: ProjectedEvent): string =>
  isWorkloadEvent(event)
    ? `workload-${event.data.workloadId}`
    : isApiVersionEvent(event)
      ? `api-version-${apiVersionKeyOf(event) ?? ''}`
      : `release-${releaseKeyOf(event) ?? ''}`;

/** Appends scenario events one by one, as commands would have; resolves the last one's checkpoint. */
export async function appendScenario(
  store: {
    append(streamId: string, events: readonly NewEvent[]): Promise<AppendResult>;
  },
  events: readonly ProjectedEvent[],
): Promise<Checkpoint> {
  let last: Checkpoint | undefined;
  for (const p of events) {
    const result = await store.append(scenarioStreamOf(p), [
      {
        type: p.event.type,
        data: p.event.data,
        metadata: {
          eventId: randomUUID(),
          correlationId: 'c',
          actor: p.actor,
          ...(p.reason ? { reason: p.reason } : {}),
        },
      },
    ]);
    last = { transactionId: result.transactionId, position: result.lastPosition };
  }
  if (!last) throw new Error('nothing appended');
  return last;
}
