import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent, TraceContext } from '@trainyard/event-store';
import type { CommandMetadata } from '@trainyard/kernel';
import { apiVersionStreamKey } from '@trainyard/planning-domain';

/** Who, why and in which trace a command runs; built by the transport adapter. */
export interface CommandContext {
  readonly actor: string;
  readonly correlationId: string;
  readonly reason?: string;
  readonly trace?: TraceContext;
  readonly now: string;
}

export const domainMetadata = (ctx: CommandContext, reason = ctx.reason): CommandMetadata => ({
  now: ctx.now,
  actor: ctx.actor,
  ...(reason ? { reason } : {}),
});

export interface DomainEventShape {
  readonly type: string;
  readonly data: unknown;
}

export interface Loaded<S> {
  readonly streamId: string;
  readonly state: S;
  /** 0 for a stream that does not exist yet. */
  readonly version: number;
}

export interface Appended<E> {
  readonly events: readonly E[];
  readonly eventIds: readonly string[];
  readonly version: number;
}

export const workloadStream = (workloadId: string): string => `workload-${workloadId}`;
export const releaseStream = (releaseId: string): string => `release-${releaseId}`;
export const apiVersionStream = (api: string, version: string): string =>
  `api-version-${apiVersionStreamKey(api, version)}`;

/** Load = read the stream and fold `evolve`; append = the decided events at the loaded version. */
export class EventStreams {
  constructor(
    private readonly store: EventStore,
    private readonly onAppended: (result: { transactionId: bigint; lastPosition: bigint }) => void,
  ) {}

  async load<S, E extends DomainEventShape>(
    streamId: string,
    evolve: (state: S, event: E) => S,
    initial: () => S,
  ): Promise<Loaded<S>> {
    const stored = await this.store.readStream(streamId);
    const state = stored.reduce(
      (s, e) => evolve(s, { type: e.type, data: e.data } as E),
      initial(),
    );
    return { streamId, state, version: stored.at(-1)?.streamVersion ?? 0 };
  }

  /** Appends with optimistic concurrency; a concurrent writer makes it throw WrongExpectedVersion (→ ABORTED). */
  async append<E extends DomainEventShape>(
    loaded: Loaded<unknown>,
    events: readonly E[],
    ctx: CommandContext,
    options: { readonly causationId?: string; readonly reason?: string } = {},
  ): Promise<Appended<E>> {
    if (events.length === 0) return { events, eventIds: [], version: loaded.version };
    const reason = options.reason ?? ctx.reason;
    const eventIds = events.map(() => randomUUID());
    const newEvents: NewEvent[] = events.map((event, i) => ({
      type: event.type,
      data: event.data,
      metadata: {
        eventId: eventIds[i] as string,
        correlationId: ctx.correlationId,
        ...(options.causationId ? { causationId: options.causationId } : {}),
        actor: ctx.actor,
        ...(reason ? { reason } : {}),
        ...(ctx.trace ? { trace: ctx.trace } : {}),
      },
    }));
    const result = await this.store.append(
      loaded.streamId,
      newEvents,
      loaded.version === 0 ? 'no_stream' : loaded.version,
    );
    this.onAppended(result);
    return { events, eventIds, version: result.nextExpectedVersion };
  }
}
