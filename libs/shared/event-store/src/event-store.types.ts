// The event store's public contract. Other shared libraries (messaging's relay, projections,
// benchmarks) code against these types; change them only together with their users.

/** W3C trace context captured when the command was handled, re-injected by the relay. */
export interface TraceContext {
  readonly traceparent: string;
  readonly tracestate?: string;
}

export interface EventMetadata {
  readonly eventId: string; // UUID, unique across the store; the CloudEvents `id`
  readonly correlationId: string;
  readonly causationId?: string;
  readonly actor: string;
  readonly reason?: string;
  readonly trace?: TraceContext;
}

/** An event as a decider produced it, before it is stored. */
export interface NewEvent<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly schemaVersion?: number; // defaults to 1
  readonly data: TData;
  readonly metadata: EventMetadata;
}

/**
 * Where a reader of the whole store stands. Events are delivered in commit-safe order, which is
 * `(transactionId, position)` ascending (ADR 0003): `position` alone is unique and increases
 * within a stream and within one append, but two concurrent appends may commit in the opposite
 * order to their positions, so a checkpoint is always the pair.
 */
export interface Checkpoint {
  readonly transactionId: bigint;
  readonly position: bigint;
}

/** An event as it is stored. */
export interface StoredEvent<TType extends string = string, TData = unknown> {
  readonly position: bigint; // global, unique; increasing per stream (see Checkpoint)
  readonly transactionId: bigint; // with position, the event's place in commit-safe order
  readonly streamId: string;
  readonly streamVersion: number; // 1-based within its stream
  readonly type: TType;
  readonly schemaVersion: number; // after upcasting: the current version of `type`
  readonly data: TData;
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
}

/** 'any' — no check; 'no_stream' — the stream must not exist; n — the stream's current version must be n. */
export type ExpectedVersion = 'any' | 'no_stream' | number;

export interface AppendResult {
  readonly streamId: string;
  readonly nextExpectedVersion: number; // the version of the last appended event
  readonly firstPosition: bigint;
  readonly lastPosition: bigint;
  readonly transactionId: bigint;
}

export interface ReadStreamOptions {
  /** forwards: first version returned (default 1); backwards: highest version returned (default: the last). */
  readonly fromVersion?: number;
  readonly direction?: 'forwards' | 'backwards';
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive; omit to read from the start. */
  readonly after?: Checkpoint;
  readonly batchSize?: number; // default 500
  /** Only these event types (the checkpoint still advances past the others). */
  readonly types?: readonly string[];
}

export interface ReadAllResult {
  readonly events: readonly StoredEvent[];
  /** Pass as `after` to continue. May move past `events` when the reader has seen everything committed. */
  readonly checkpoint: Checkpoint;
  /** True when no further committed event was readable at the time of the read. */
  readonly isEnd: boolean;
}

export interface SubscriptionBatch {
  readonly events: readonly StoredEvent[];
  /** Store it (e.g. in the same transaction as the batch's effect) and resume from it. */
  readonly checkpoint: Checkpoint;
}

export interface SubscribeOptions {
  /** 'start' — every event; 'end' — only events not yet committed-safe now; or a stored checkpoint (exclusive). */
  readonly from: Checkpoint | 'start' | 'end';
  readonly types?: readonly string[];
  readonly batchSize?: number; // default 500
  /** Fallback poll when no wake-up arrives (NOTIFY or an append in this process). Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Called one batch at a time, never concurrently; a throw stops the subscription (see `done`). */
  readonly handler: (batch: SubscriptionBatch) => Promise<void>;
  /** Transient read errors are retried after `pollIntervalMs`; this hears about them. */
  readonly onReadError?: (error: unknown) => void;
  /**
   * Called when a read moved past events with none to deliver (all of other `types`): every event
   * up to `checkpoint` that this subscription asked for has been handled. A projection filtering by
   * type uses it so that read-your-writes does not wait for an event it will never see.
   */
  readonly onSkipped?: (checkpoint: Checkpoint) => void;
  /**
   * After a batch that reached the end, wait this long before reading again, however many appends
   * arrive meanwhile (`hurry()` or `stop()` end the wait), as a Kafka producer's `linger.ms`: under
   * a steady stream one read and one handler call then carry a few milliseconds of appends rather
   * than those of one round trip, and the per-batch cost (the read, a transaction, a checkpoint) is
   * paid that much less often. Events wait up to this long longer. Default 0.
   */
  readonly lingerMs?: number;
}

export interface Subscription {
  /** The checkpoint after the last handled batch (or the start). */
  readonly checkpoint: Checkpoint;
  /** Resolves once the in-flight handler (if any) has finished and the loop has ended. */
  stop(): Promise<void>;
  /**
   * Somebody waits for the next events: ends a linger in progress, or skips the one after the read
   * in progress (which may have started before those events were appended).
   */
  hurry(): void;
  /** Settles when the subscription ends: resolves after stop(), rejects with the handler's error. */
  readonly done: Promise<void>;
}

export interface EventStore {
  readonly schema: string;
  /** One round trip, atomic; throws WrongExpectedVersion on a conflict (nothing is stored). */
  append(
    streamId: string,
    events: readonly NewEvent[],
    expectedVersion?: ExpectedVersion,
  ): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;
  subscribe(options: SubscribeOptions): Subscription;
}
