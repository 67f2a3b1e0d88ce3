import type { Command, DomainEvent } from './command';

/**
 * A pure decider in Emmett's shape: `decide` returns the events a command causes (`[]` = nothing
 * to do, an idempotent retry), `evolve` folds one event into the state. `Ctx` carries what the
 * service configures (a policy, ...); it has no default, so an adapter cannot forget it silently.
 */
export interface Decider<S, C extends Command, E extends DomainEvent, Ctx = void> {
  readonly decide: (command: C, state: S, context: Ctx) => readonly E[];
  readonly evolve: (state: S, event: E) => S;
  readonly initialState: () => S;
}

/**
 * A pure reaction: a fact of one aggregate → the commands it causes for others. Run by the shared
 * reactor on the store subscription, so a crash between two appends converges on its own.
 */
export type React<E extends DomainEvent, C extends Command> = (
  event: E,
  metadata: ReactionMetadata,
) => readonly C[];

/** What a reaction knows of the event it reacts to; the reactor fills the commands' metadata from it. */
export interface ReactionMetadata {
  readonly eventId: string;
  readonly streamId: string;
  readonly actor: string;
  /** The reason stated for the command that caused the event, if any. */
  readonly reason?: string;
  readonly recordedAt: string;
}
