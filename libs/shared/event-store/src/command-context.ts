import type { CommandMetadata } from '@trainyard/kernel';
import type { TraceContext } from './event-store.types';

/**
 * Who, why, when and in which trace a command runs. Built once per request by the platform's
 * adapters (gRPC: verified principal, `x-correlation-id` metadata, the active span; HTTP: the same
 * from headers) or by a reactor (from the event it reacts to), with `now` read from the injected
 * `Clock`. handleCommand copies it into every event's metadata.
 */
export interface CommandContext {
  readonly actor: string;
  readonly correlationId: string;
  /** The event that caused this command (reactions); absent for a client's request. */
  readonly causationId?: string;
  readonly reason?: string;
  readonly trace?: TraceContext;
  /** ISO-8601 instant from the injected clock. */
  readonly now: string;
}

/** The part of the context a decider sees (`command.metadata`); `reason` may be overridden per command. */
export const commandMetadata = (ctx: CommandContext, reason = ctx.reason): CommandMetadata => ({
  now: ctx.now,
  actor: ctx.actor,
  ...(reason ? { reason } : {}),
});
