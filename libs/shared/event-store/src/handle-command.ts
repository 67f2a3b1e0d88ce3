import { randomUUID } from 'node:crypto';
import type { Command, Decider, DomainEvent } from '@trainyard/kernel';
import type { CommandContext } from './command-context';
import type { AppendResult, EventStore, NewEvent, StoredEvent } from './event-store.types';
import { isWrongExpectedVersion } from './wrong-expected-version.error';

export interface HandleCommandOptions<Ctx> {
  /** The decider's configuration (policy, read-model facts); `undefined` for deciders without one. */
  readonly context: Ctx;
  /**
   * The stream almost always does not exist yet (a registration): decide on the initial state and
   * append as `no_stream` without reading first, one round trip less. When the stream exists, or
   * the decision on the initial state is refused, the stream is loaded and the command decided
   * again on its real state, so the caller gets exactly the answer load-then-decide would give.
   */
  readonly expectNew?: boolean;
  /**
   * Do nothing when the stream already holds an event caused by `ctx.causationId`: the reaction
   * to that event was recorded before (a reactor re-running after a crash). Needs a causation id.
   */
  readonly oncePerCausation?: boolean;
  /** Called after every successful append (e.g. to record the write for read-your-writes). */
  readonly onAppended?: (result: AppendResult) => void;
}

export interface HandledCommand<S, E> {
  readonly streamId: string;
  /** The state after the decided events. */
  readonly state: S;
  /** `[]` when the decider found nothing to do (an idempotent retry). */
  readonly events: readonly E[];
  readonly eventIds: readonly string[];
  /** The stream's version before the append (0: it did not exist). */
  readonly loadedVersion: number;
  readonly appended?: AppendResult;
  /** The command as decided (as built, when a builder was given). */
  readonly command: Command;
}

/** A command that depends on the loaded state (e.g. a plan computed for it); re-built on a retry. */
export type CommandFor<S, C> = (state: S) => C | Promise<C>;

export interface Loaded<S> {
  readonly state: S;
  readonly version: number;
  readonly stored: readonly StoredEvent[];
}

const MAX_ATTEMPTS = 2;

/**
 * The one way a command is handled: load the stream by folding `evolve`, `decide`, append the
 * events at the loaded version (`no_stream` for version 0) with their metadata filled from the
 * command context (event ids, correlation and causation ids, actor, reason, trace). A concurrent
 * writer (WrongExpectedVersion) makes it reload and decide once more; a second conflict is thrown
 * (→ ABORTED). Domain errors from `decide` are thrown as they are: nothing is written.
 */
export async function handleCommand<S, C extends Command, E extends DomainEvent, Ctx>(
  store: EventStore,
  streamId: string,
  decider: Decider<S, C, E, Ctx>,
  command: C | CommandFor<S, C>,
  ctx: CommandContext,
  options: HandleCommandOptions<Ctx>,
): Promise<HandledCommand<S, E>> {
  const commandFor = typeof command === 'function' ? command : () => command;
  if (options.oncePerCausation && !ctx.causationId)
    throw new Error('oncePerCausation needs a causation id in the command context');
  if (options.expectNew && !options.oncePerCausation) {
    const fresh = await appendToNewStream(store, streamId, decider, commandFor, ctx, options);
    if (fresh) return fresh;
  }
  for (let attempt = 1; ; attempt++) {
    const loaded = await loadStream(store, streamId, decider);
    if (
      options.oncePerCausation &&
      loaded.stored.some((e) => e.metadata.causationId === ctx.causationId)
    )
      return {
        streamId,
        state: loaded.state,
        events: [],
        eventIds: [],
        loadedVersion: loaded.version,
        command: await commandFor(loaded.state),
      };
    const resolved = await commandFor(loaded.state);
    const events = decider.decide(resolved, loaded.state, options.context);
    try {
      return await append(store, streamId, decider, loaded, events, resolved, ctx, options);
    } catch (error) {
      if (!isWrongExpectedVersion(error) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

async function appendToNewStream<S, C extends Command, E extends DomainEvent, Ctx>(
  store: EventStore,
  streamId: string,
  decider: Decider<S, C, E, Ctx>,
  commandFor: CommandFor<S, C>,
  ctx: CommandContext,
  options: HandleCommandOptions<Ctx>,
): Promise<HandledCommand<S, E> | undefined> {
  const fresh: Loaded<S> = { state: decider.initialState(), version: 0, stored: [] };
  const command = await commandFor(fresh.state);
  let events: readonly E[];
  try {
    events = decider.decide(command, fresh.state, options.context);
  } catch {
    return undefined; // decided again on the real state, which gives the right answer
  }
  if (events.length === 0) return undefined;
  try {
    return await append(store, streamId, decider, fresh, events, command, ctx, options);
  } catch (error) {
    if (isWrongExpectedVersion(error)) return undefined;
    throw error;
  }
}

/** Reads a stream and folds it into the decider's state (for a use case that only looks). */
export async function loadStream<S, C extends Command, E extends DomainEvent, Ctx>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<S, C, E, Ctx>, 'evolve' | 'initialState'>,
): Promise<Loaded<S>> {
  const stored = await store.readStream(streamId);
  const state = stored.reduce(
    (s, e) => decider.evolve(s, { type: e.type, data: e.data } as E),
    decider.initialState(),
  );
  return { state, version: stored.at(-1)?.streamVersion ?? 0, stored };
}

async function append<S, C extends Command, E extends DomainEvent, Ctx>(
  store: EventStore,
  streamId: string,
  decider: Decider<S, C, E, Ctx>,
  loaded: Loaded<S>,
  events: readonly E[],
  command: C,
  ctx: CommandContext,
  options: HandleCommandOptions<Ctx>,
): Promise<HandledCommand<S, E>> {
  const base = { streamId, events, loadedVersion: loaded.version, command };
  if (events.length === 0) return { ...base, state: loaded.state, eventIds: [] };
  const reason = command.metadata.reason ?? ctx.reason;
  const eventIds = events.map(() => randomUUID());
  const newEvents: NewEvent[] = events.map((event, i) => ({
    type: event.type,
    ...(event.schemaVersion !== undefined ? { schemaVersion: event.schemaVersion } : {}),
    data: event.data,
    metadata: {
      eventId: eventIds[i] as string,
      correlationId: ctx.correlationId,
      ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
      actor: ctx.actor,
      ...(reason ? { reason } : {}),
      ...(ctx.trace ? { trace: ctx.trace } : {}),
    },
  }));
  const appended = await store.append(
    streamId,
    newEvents,
    loaded.version === 0 ? 'no_stream' : loaded.version,
  );
  options.onAppended?.(appended);
  return { ...base, state: events.reduce(decider.evolve, loaded.state), eventIds, appended };
}
