import type {
  Checkpoint,
  StoredEvent,
  SubscribeOptions,
  SubscriptionBatch,
} from './event-store.types';
import { StoreSubscription, type SubscriptionSource } from './subscription';

/** An in-memory log with the store's read and wake-up contract: every event is committed at once. */
class MemoryLog implements SubscriptionSource {
  readonly events: StoredEvent[] = [];
  reads = 0;
  private wakers = new Set<() => void>();

  append(count: number): void {
    for (let i = 0; i < count; i++) {
      const position = BigInt(this.events.length + 1);
      this.events.push({
        position,
        transactionId: position,
        streamId: `stream-${position}`,
        streamVersion: 1,
        type: 'Happened',
        schemaVersion: 1,
        data: {},
        metadata: { eventId: `event-${position}`, correlationId: 'c', actor: 'user:test' },
        recordedAt: new Date(0),
      });
      for (const wake of this.wakers) wake();
    }
  }

  read(after: Checkpoint, batchSize: number) {
    this.reads++;
    const events = this.events.filter((e) => e.position > after.position).slice(0, batchSize);
    const last = events[events.length - 1];
    const checkpoint = last ? { transactionId: last.position, position: last.position } : after;
    return Promise.resolve({
      events,
      checkpoint,
      isEnd: events.length < batchSize,
      pending: false,
    });
  }

  end(): Promise<Checkpoint> {
    return Promise.resolve({ transactionId: 0n, position: 0n });
  }

  onAppend(waker: () => void): () => void {
    this.wakers.add(waker);
    return () => this.wakers.delete(waker);
  }
}

/** Resolves at the `n`th batch handed to the handler (1-based). */
function batches() {
  const seen: SubscriptionBatch[] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  return {
    seen,
    handler: (batch: SubscriptionBatch) => {
      seen.push(batch);
      for (const w of waiting.filter((w) => seen.length >= w.n)) w.resolve();
      return Promise.resolve();
    },
    nth: (n: number) =>
      seen.length >= n
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiting.push({ n, resolve })),
  };
}

const sizes = (seen: readonly SubscriptionBatch[]) => seen.map((b) => b.events.length);
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('StoreSubscription linger', () => {
  const running: StoreSubscription[] = [];
  afterEach(async () => {
    for (const subscription of running.splice(0)) await subscription.stop();
  });

  function subscribe(log: MemoryLog, options: Omit<SubscribeOptions, 'from' | 'pollIntervalMs'>) {
    const subscription = new StoreSubscription(log, {
      from: 'start',
      pollIntervalMs: 60_000,
      ...options,
    });
    running.push(subscription);
    return subscription;
  }

  /** A subscription with `lingerMs` that has handled a first batch of one event. */
  async function afterFirstBatch(lingerMs?: number) {
    const log = new MemoryLog();
    const handled = batches();
    const subscription = subscribe(log, {
      ...(lingerMs === undefined ? {} : { lingerMs }),
      handler: handled.handler,
    });
    log.append(1);
    await handled.nth(1);
    return { log, handled, subscription };
  }

  it('without a linger, reads again as soon as an append wakes it', async () => {
    const { log, handled, subscription } = await afterFirstBatch();
    log.append(2);
    await handled.nth(2);
    await subscription.stop();
    expect(sizes(handled.seen)).toEqual([1, 2]);
  });

  it('after a delivered batch, waits out the linger however many appends arrive, then delivers them in one batch', async () => {
    const { log, handled, subscription } = await afterFirstBatch(300);
    const readsAfterFirst = log.reads;
    for (let i = 0; i < 5; i++) log.append(1);
    await settle();
    // A read cannot come early, only late: nothing was read during the 300 ms linger's first 50 ms.
    expect(log.reads).toBe(readsAfterFirst);
    await handled.nth(2);
    await subscription.stop();
    expect(sizes(handled.seen)).toEqual([1, 5]);
  });

  it('hurry() ends a linger at once, and skips the next one when none is in progress', async () => {
    const { log, handled, subscription } = await afterFirstBatch(600_000);
    log.append(2);
    await settle();
    expect(handled.seen).toHaveLength(1); // lingering for ten minutes
    subscription.hurry();
    await handled.nth(2);
    subscription.hurry(); // none in progress yet, or the one after batch 2: either way not waited out
    log.append(1);
    await handled.nth(3);
    await subscription.stop();
    expect(sizes(handled.seen)).toEqual([1, 2, 1]);
  });

  it('stop() ends a linger at once', async () => {
    const { subscription } = await afterFirstBatch(600_000);
    await subscription.stop();
    await expect(subscription.done).resolves.toBeUndefined();
  });
});
