import type { Checkpoint, StoredEvent } from './event-store.types';

/** Before every event. */
export const START_CHECKPOINT: Checkpoint = Object.freeze({ transactionId: 0n, position: 0n });

export function compareCheckpoints(a: Checkpoint, b: Checkpoint): -1 | 0 | 1 {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return 0;
}

export function maxCheckpoint(a: Checkpoint, b: Checkpoint): Checkpoint {
  return compareCheckpoints(a, b) >= 0 ? a : b;
}

export function checkpointOf(event: Pick<StoredEvent, 'transactionId' | 'position'>): Checkpoint {
  return { transactionId: event.transactionId, position: event.position };
}

/** `"<transactionId>:<position>"`, for storing a checkpoint in one text column. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  return `${checkpoint.transactionId}:${checkpoint.position}`;
}

export function parseCheckpoint(text: string): Checkpoint {
  const match = /^(\d+):(\d+)$/.exec(text);
  if (!match?.[1] || !match[2]) throw new Error(`invalid checkpoint ${JSON.stringify(text)}`);
  return { transactionId: BigInt(match[1]), position: BigInt(match[2]) };
}
