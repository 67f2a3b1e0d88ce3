import type { Pool } from 'pg';
import { AppendSignal } from './append-signal';
import { START_CHECKPOINT } from './checkpoint';
import { EventReader } from './event-reader';
import type {
  AppendResult,
  EventStore,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
} from './event-store.types';
import { assertSchemaName } from './schema-name';
import { StreamAppender } from './stream-append';
import { StoreSubscription } from './subscription';
import { UpcasterRegistry } from './upcasters';

export interface PostgresEventStoreOptions {
  readonly upcasters?: UpcasterRegistry;
  /**
   * Announce appends to other processes with NOTIFY and LISTEN for theirs (two dedicated
   * connections, opened lazily). Default true; without it, other processes' subscribers poll.
   */
  readonly crossProcessSignal?: boolean;
  /**
   * The most NOTIFYs per window sent to other processes during a burst of appends (leading and
   * trailing edge, so an isolated append is announced at once). Default 20 ms.
   */
  readonly notifyThrottleMs?: number;
  /** Errors of the background signalling connections (they never fail an append). */
  readonly onBackgroundError?: (error: unknown) => void;
  /**
   * Group commit: the appends at an exact expected version made in one turn of the event loop go
   * out together when it ends, in one statement and one commit (each still checked at its own
   * version and answered on its own). Default false: each append is its own statement.
   */
  readonly groupCommit?: boolean;
}

const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_NOTIFY_THROTTLE_MS = 20;

/** The event store of one service's schema. Create one per (pool, schema) and share it. */
export class PostgresEventStore implements EventStore {
  readonly schema: string;
  private readonly signal: AppendSignal;
  private readonly appender: StreamAppender;
  private readonly reader: EventReader;

  constructor(pool: Pool, schema: string, options: PostgresEventStoreOptions = {}) {
    this.schema = assertSchemaName(schema);
    this.signal = new AppendSignal(
      pool,
      schema,
      options.onBackgroundError ?? (() => undefined),
      options.crossProcessSignal ?? true,
      options.notifyThrottleMs ?? DEFAULT_NOTIFY_THROTTLE_MS,
    );
    this.appender = new StreamAppender(
      pool,
      schema,
      (events) => this.signal.appended(events),
      options.groupCommit ?? false,
    );
    this.reader = new EventReader(pool, schema, options.upcasters ?? new UpcasterRegistry());
  }

  /** See StreamAppender.append: one statement, one round trip (ADR 0003), shared under load with groupCommit. */
  append(
    streamId: string,
    events: readonly NewEvent[],
    expectedVersion: ExpectedVersion = 'any',
  ): Promise<AppendResult> {
    return this.appender.append(streamId, events, expectedVersion);
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    return this.reader.readStream(streamId, options);
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const { events, checkpoint, isEnd } = await this.reader.readCommitted(
      options.after ?? START_CHECKPOINT,
      options.batchSize ?? DEFAULT_BATCH_SIZE,
      options.types,
    );
    return { events, checkpoint, isEnd };
  }

  subscribe(options: SubscribeOptions): Subscription {
    return new StoreSubscription(
      {
        read: (after, batchSize, types) => this.reader.readCommitted(after, batchSize, types),
        end: () => this.reader.endCheckpoint(),
        onAppend: (waker) => this.signal.subscribe(waker, options.types),
      },
      options,
    );
  }

  /** Closes the signalling connections (not the pool). Stop subscriptions first. */
  async close(): Promise<void> {
    await this.signal.close();
  }
}

export function createEventStore(
  pool: Pool,
  schema: string,
  options?: PostgresEventStoreOptions,
): PostgresEventStore {
  return new PostgresEventStore(pool, schema, options);
}
