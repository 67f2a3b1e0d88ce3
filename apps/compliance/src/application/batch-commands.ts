import { randomUUID } from 'node:crypto';
import type { CommandContext, EventStore, NewEvent, StreamAppend } from '@trainyard/event-store';
import { ValidationError, type Command, type Decider, type DomainEvent } from '@trainyard/kernel';

/** A command for one stream, decided with the others of its batch. */
export interface BatchCommand {
  readonly streamId: string;
  // The deciders differ per stream (evaluations, reviews): each command carries its own.
  readonly decider: Decider<unknown, Command, DomainEvent, unknown>;
  readonly command: Command;
  readonly context: unknown;
  readonly ctx: CommandContext;
  /** A `ValidationError` from the decider means "nothing to do" for this command (not a failure). */
  readonly skipRefusals?: boolean;
}

/** Types a command for `decideBatch` (the decider's own types are checked here, once). */
export const batchCommand = <S, C extends Command, E extends DomainEvent, Ctx>(
  streamId: string,
  decider: Decider<S, C, E, Ctx>,
  command: C,
  context: Ctx,
  ctx: CommandContext,
  skipRefusals = false,
): BatchCommand => ({
  streamId,
  decider: decider as unknown as BatchCommand['decider'],
  command,
  context,
  ctx,
  skipRefusals,
});

/** The events a decided command appends, with metadata filled as `handleCommand` fills it. */
const newEvents = (events: readonly DomainEvent[], command: Command, ctx: CommandContext) => {
  const reason = command.metadata.reason ?? ctx.reason;
  return events.map((event): NewEvent => ({
    type: event.type,
    ...(event.schemaVersion !== undefined ? { schemaVersion: event.schemaVersion } : {}),
    data: event.data,
    metadata: {
      eventId: randomUUID(),
      correlationId: ctx.correlationId,
      ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
      actor: ctx.actor,
      ...(reason ? { reason } : {}),
      ...(ctx.trace ? { trace: ctx.trace } : {}),
    },
  }));
};

/** At most this many streams are read at once (the store's pool is shared with the commands). */
const READ_CONCURRENCY = 4;

/**
 * Decides a batch of commands as `handleCommand` would one after another: each stream is read once
 * (folded with its decider), the commands decided in order on the state the earlier ones left, and
 * the events of each stream collected at the version read. The result goes to
 * `appendInTransaction` in the caller's transaction, which must not have written before these reads
 * (commit-safe order, ADR 0003); a racing writer then collides on the stream's version and the
 * transaction fails whole. A decider's error is thrown as it is (nothing is decided for the batch),
 * except a refusal of a command marked `skipRefusals`, which decides nothing for that command.
 */
export async function decideBatch(
  store: EventStore,
  commands: readonly BatchCommand[],
): Promise<StreamAppend[]> {
  const loaded = new Map<string, { state: unknown; version: number; events: NewEvent[] }>();
  const streams = [...new Map(commands.map((c) => [c.streamId, c.decider])).entries()];
  for (let i = 0; i < streams.length; i += READ_CONCURRENCY) {
    await Promise.all(
      streams.slice(i, i + READ_CONCURRENCY).map(async ([streamId, decider]) => {
        const stored = await store.readStream(streamId);
        const state = stored.reduce(
          (s, e) => decider.evolve(s, { type: e.type, data: e.data }),
          decider.initialState(),
        );
        loaded.set(streamId, { state, version: stored.at(-1)?.streamVersion ?? 0, events: [] });
      }),
    );
  }
  for (const { streamId, decider, command, context, ctx, skipRefusals } of commands) {
    const stream = loaded.get(streamId) as { state: unknown; events: NewEvent[] };
    let events: readonly DomainEvent[];
    try {
      events = decider.decide(command, stream.state, context);
    } catch (error) {
      if (skipRefusals && error instanceof ValidationError) continue;
      throw error;
    }
    stream.state = events.reduce(decider.evolve, stream.state);
    stream.events.push(...newEvents(events, command, ctx));
  }
  return [...loaded.entries()]
    .filter(([, s]) => s.events.length > 0)
    .map(([streamId, s]) => ({ streamId, expectedVersion: s.version, events: s.events }));
}
