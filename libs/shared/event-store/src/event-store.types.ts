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

/** An event as it is stored: position is global and strictly increasing by commit-safe order. */
export interface StoredEvent<TType extends string = string, TData = unknown> {
  readonly position: bigint;
  readonly streamId: string;
  readonly streamVersion: number; // 1-based within its stream
  readonly type: TType;
  readonly schemaVersion: number;
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
}
