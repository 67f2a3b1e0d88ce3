/** Everything a decider may not invent itself: the clock, the actor, the stated reason. */
export interface CommandMetadata {
  /** ISO-8601 instant from the command context's clock; never read from the system clock in domain code. */
  readonly now: string;
  readonly actor: string;
  readonly reason?: string;
}

export interface Command<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly data: TData;
  readonly metadata: CommandMetadata;
}

/** A past-tense fact decided by a decider; `type` equals the type name, no `Event` suffix. */
export interface DomainEvent<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly data: TData;
  /**
   * The version of `data`'s shape, stored with the event; absent means 1. Older shapes stay in
   * `*.events.v1.ts` with the upcaster that reads them (docs/STYLE "Versioning events").
   */
  readonly schemaVersion?: number;
}
