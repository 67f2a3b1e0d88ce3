import { randomUUID } from 'node:crypto';
import type { NewEvent } from './event-store.types';

/** A valid event for tests and benchmarks: fresh ids, a fixed actor. */
export function newEvent<TData>(
  type: string,
  data: TData,
  schemaVersion?: number,
): NewEvent<string, TData> {
  return {
    type,
    data,
    ...(schemaVersion === undefined ? {} : { schemaVersion }),
    metadata: { eventId: randomUUID(), correlationId: randomUUID(), actor: 'user:test' },
  };
}

/** A stream id no other test uses. */
export function freshStreamId(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}
