import { START_CHECKPOINT, compareCheckpoints } from './checkpoint';
import type {
  Checkpoint,
  ReadAllResult,
  SubscribeOptions,
  Subscription,
} from './event-store.types';

export interface SubscriptionSource {
  /** A readAll that also says whether committed events exist that are not yet safe to deliver. */
  read(
    after: Checkpoint,
    batchSize: number,
    types: readonly string[] | undefined,
  ): Promise<ReadAllResult & { pending: boolean }>;
  /** The checkpoint a subscription `from: 'end'` starts at. */
  end(): Promise<Checkpoint>;
  onAppend(waker: () => void): () => void;
}

/** Quick re-polls while committed events wait behind an older in-flight transaction. */
const PENDING_BACKOFF_MAX_MS = 50;
/**
 * First retry after a failed read (doubling up to the poll interval): a transient error (a
 * connection refused, the pool exhausted) costs a fraction of a second, not a whole poll interval.
 */
const READ_RETRY_MIN_MS = 100;

/** Catch-up then live: reads batches until the end, then sleeps until woken or the poll interval. */
export class StoreSubscription implements Subscription {
  readonly done: Promise<void>;
  private current: Checkpoint;
  private stopped = false;
  private woken = false;
  private wake?: () => void;
  private hurried = false;
  private endLinger?: () => void;

  constructor(
    private readonly source: SubscriptionSource,
    private readonly options: SubscribeOptions,
  ) {
    this.current = typeof options.from === 'string' ? START_CHECKPOINT : options.from;
    this.done = this.run();
    this.done.catch(() => undefined); // a rejection is for whoever awaits `done`, not a crash
  }

  get checkpoint(): Checkpoint {
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.hurry();
    this.signal();
    await this.done.catch(() => undefined);
  }

  hurry(): void {
    this.hurried = true;
    this.endLinger?.();
  }

  private signal(): void {
    this.woken = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    const { batchSize = 500, pollIntervalMs = 1000, lingerMs = 0 } = this.options;
    const { types, handler, onReadError } = this.options;
    const unsubscribe = this.source.onAppend(() => this.signal());
    try {
      if (this.options.from === 'end') this.current = await this.source.end();
      let backoff = 0;
      let retry = 0;
      while (!this.stopped) {
        this.woken = false;
        // A hurry() from before this read is answered by it; one from during it skips the linger.
        this.hurried = false;
        let result: ReadAllResult & { pending: boolean };
        try {
          result = await this.source.read(this.current, batchSize, types);
        } catch (error) {
          onReadError?.(error);
          retry = Math.min(Math.max(READ_RETRY_MIN_MS, retry * 2), pollIntervalMs);
          await this.sleep(retry);
          continue;
        }
        retry = 0;
        if (this.stopped) break;
        if (result.events.length > 0)
          await handler({ events: result.events, checkpoint: result.checkpoint });
        else if (compareCheckpoints(result.checkpoint, this.current) > 0)
          this.options.onSkipped?.(result.checkpoint);
        this.current = result.checkpoint;
        if (!result.isEnd) continue;
        if (lingerMs > 0 && result.events.length > 0) await this.linger(lingerMs);
        if (result.pending) {
          backoff = Math.min(Math.max(1, backoff * 2), PENDING_BACKOFF_MAX_MS, pollIntervalMs);
          await this.sleep(backoff);
        } else {
          backoff = 0;
          await this.sleep(pollIntervalMs);
        }
      }
    } finally {
      unsubscribe();
    }
  }

  /** Waits `ms` unless woken first (an append in this process, NOTIFY, stop()). */
  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopped) return Promise.resolve();
    return this.pause(ms, (end) => (this.wake = end));
  }

  /** Waits `ms` unless hurried or stopped; an append meanwhile only marks the loop woken (read next). */
  private linger(ms: number): Promise<void> {
    if (this.hurried || this.stopped) return Promise.resolve();
    return this.pause(ms, (end) => (this.endLinger = end));
  }

  /** Resolves after `ms`, or sooner through the `end` it hands to `slot` (cleared once it resolves). */
  private pause(ms: number, slot: (end: (() => void) | undefined) => void): Promise<void> {
    return new Promise((resolve) => {
      const end = (): void => {
        clearTimeout(timer);
        slot(undefined);
        resolve();
      };
      const timer = setTimeout(end, ms);
      slot(end);
    });
  }
}
