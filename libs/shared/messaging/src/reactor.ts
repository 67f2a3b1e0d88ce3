import {
  handleCommand,
  isWrongExpectedVersion,
  type AppendResult,
  type Checkpoint,
  type CommandContext,
  type EventStore,
  type StoredEvent,
} from '@trainyard/event-store';
import type { Command, Decider, DomainEvent, React } from '@trainyard/kernel';
import type { Pool } from 'pg';
import type { BackoffOptions } from './backoff';
import { LockedSubscription } from './locked-subscription';
import { quoteSchema } from './messaging.migrations';
import { silentLogger, type MessagingLogger } from './messaging-logger';

/** Where a reaction's command goes: the target stream and the decider that owns it. */
export interface ReactionTarget {
  readonly streamId: string;
  // The decider's types are erased here: `route` pairs each command with its own decider.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly decider: Decider<any, any, any, any>;
  readonly context: unknown;
}

export interface ReactorOptions<E extends DomainEvent, C extends Command> {
  /** The checkpoint row, the inbox namespace (`reactor:<name>`) and the lock name. */
  readonly name: string;
  readonly pool: Pool;
  readonly store: EventStore;
  /** Where relay_checkpoints and inbox live (migrateMessaging); normally the store's schema. */
  readonly schema: string;
  /** The event types `react` answers; the subscription reads only these. */
  readonly types: readonly E['type'][];
  readonly react: React<E, C>;
  readonly route: (command: C) => ReactionTarget;
  /** Called after every append a reaction makes (e.g. to record the write for read-your-writes). */
  readonly onAppended?: (result: AppendResult) => void;
  readonly logger?: MessagingLogger;
  /** Between failed batches. Default 200 ms doubling to 30 s. */
  readonly backoff?: BackoffOptions;
  readonly lockRetryMs?: number;
  readonly lockKeepAliveMs?: number;
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
}

/** What became of one command a reaction caused. */
export interface ReactionOutcome {
  readonly eventId: string;
  readonly command: string;
  readonly streamId: string;
  /** recorded: events appended; unchanged: nothing to do (already done); refused: a rule said no. */
  readonly status: 'recorded' | 'unchanged' | 'refused';
  readonly rule?: string;
  readonly message?: string;
}

export type ReactorState = 'stopped' | 'waiting' | 'active';

interface Refusal {
  readonly kind: string;
  readonly rule?: string;
  readonly field?: string;
  readonly message: string;
}

/** A business refusal (a domain error) as opposed to a conflict or an infrastructure failure. */
const refusalOf = (error: unknown): Refusal | undefined => {
  if (!(error instanceof Error) || isWrongExpectedVersion(error)) return undefined;
  const kind = (error as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || kind === 'conflict' || kind === 'concurrency') return undefined;
  const { rule, field } = error as { rule?: unknown; field?: unknown };
  return {
    kind,
    ...(typeof rule === 'string' ? { rule } : {}),
    ...(typeof field === 'string' ? { field } : {}),
    message: error.message,
  };
};

/**
 * Runs a domain's pure `react(event) → commands` on the store subscription: each command is
 * handled with `handleCommand` on its target stream, carrying the reacting event's id as
 * causation id. Durable and convergent:
 * - the checkpoint (relay_checkpoints, `reactor:<name>`) moves only after a batch's reactions are
 *   stored, and one instance reacts at a time (a session advisory lock, as the outbox relay);
 * - an event whose reactions are all settled is written to the inbox (`reactor:<name>`, event id),
 *   so the background loop skips events already handled inline by the command that appended them;
 * - a command whose stream already holds an event caused by the reacting event is skipped
 *   (`oncePerCausation`), so a crash between two appends of one reaction re-runs only the rest.
 * A refused command (a domain error) is logged with its rule and counted, and the reactor moves on:
 * the refusal is the decider's answer for that state, retrying would give it again. A concurrency
 * conflict that survives handleCommand's retry, or any other failure, stops the batch and it is
 * retried from the checkpoint with backoff, so nothing is skipped.
 */
export class Reactor<E extends DomainEvent, C extends Command> {
  private readonly logger: MessagingLogger;
  private readonly loop: LockedSubscription;
  private readonly inboxGroup: string;
  private readonly types: ReadonlySet<string>;
  private counters = { recorded: 0, unchanged: 0, refused: 0 };
  private readonly inFlight = new Map<string, Promise<ReactionOutcome[]>>();

  constructor(private readonly options: ReactorOptions<E, C>) {
    quoteSchema(options.schema);
    this.logger = options.logger ?? silentLogger;
    this.inboxGroup = `reactor:${options.name}`;
    this.types = new Set(options.types);
    this.loop = new LockedSubscription({
      pool: options.pool,
      store: options.store,
      schema: options.schema,
      lockKey: `trainyard.messaging.reactor:${options.schema}:${options.name}`,
      checkpointName: this.inboxGroup,
      applicationName: `trainyard-reactor:${options.name}`,
      types: options.types,
      batchSize: options.batchSize ?? 100,
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      lockRetryMs: options.lockRetryMs ?? 2_000,
      lockKeepAliveMs: options.lockKeepAliveMs ?? 5_000,
      backoff: options.backoff ?? { initialMs: 200, maxMs: 30_000 },
      logger: this.logger,
      context: { reactor: options.name, schema: options.schema },
      label: 'reactor',
      handle: async (batch) => {
        await this.handle(batch.events);
      },
    });
  }

  get state(): ReactorState {
    return this.loop.state;
  }

  get checkpoint(): Checkpoint | undefined {
    return this.loop.checkpoint;
  }

  /** Commands this instance recorded, found already done, or saw refused. */
  get stats(): { readonly recorded: number; readonly unchanged: number; readonly refused: number } {
    return { ...this.counters };
  }

  /**
   * Reacts to these stored events now (events of other types are ignored). Used by the
   * subscription and by a use case right after its append, so the client's answer already
   * reflects the consequences; the background loop finds them in the inbox and moves on.
   */
  async handle(events: readonly StoredEvent[]): Promise<ReactionOutcome[]> {
    const outcomes: ReactionOutcome[] = [];
    for (const event of events) {
      if (this.types.has(event.type)) outcomes.push(...(await this.handleOne(event)));
    }
    return outcomes;
  }

  /**
   * One event at a time per process: the background loop, woken by the very append a use case is
   * reacting to inline, waits for that run and shares its outcomes instead of racing it.
   */
  private handleOne(event: StoredEvent): Promise<ReactionOutcome[]> {
    const { eventId } = event.metadata;
    const running = this.inFlight.get(eventId);
    if (running) return running.catch(() => this.handleOne(event));
    const run = (async () => {
      if (await this.alreadyHandled(eventId)) return [];
      const outcomes = await this.reactTo(event);
      await this.options.pool.query(
        `INSERT INTO ${quoteSchema(this.options.schema)}.inbox (consumer_group, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [this.inboxGroup, eventId],
      );
      return outcomes;
    })();
    this.inFlight.set(eventId, run);
    run.then(
      () => this.inFlight.delete(eventId),
      () => this.inFlight.delete(eventId),
    );
    return run;
  }

  /** Starts in the background: waits for the lock, then reacts until stop(). */
  start(): void {
    this.loop.start();
  }

  /** Lets the batch in flight finish, releases the lock. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async alreadyHandled(eventId: string): Promise<boolean> {
    const { rowCount } = await this.options.pool.query(
      `SELECT 1 FROM ${quoteSchema(this.options.schema)}.inbox WHERE consumer_group = $1 AND event_id = $2`,
      [this.inboxGroup, eventId],
    );
    return (rowCount ?? 0) > 0;
  }

  private async reactTo(event: StoredEvent): Promise<ReactionOutcome[]> {
    const { metadata } = event;
    const commands = this.options.react({ type: event.type, data: event.data } as E, {
      eventId: metadata.eventId,
      streamId: event.streamId,
      actor: metadata.actor,
      ...(metadata.reason ? { reason: metadata.reason } : {}),
      recordedAt: event.recordedAt.toISOString(),
    });
    const outcomes: ReactionOutcome[] = [];
    for (const command of commands) {
      const target = this.options.route(command);
      const ctx: CommandContext = {
        actor: metadata.actor,
        correlationId: metadata.correlationId,
        causationId: metadata.eventId,
        ...(command.metadata.reason ? { reason: command.metadata.reason } : {}),
        ...(metadata.trace ? { trace: metadata.trace } : {}),
        now: command.metadata.now,
      };
      const base = { eventId: metadata.eventId, command: command.type, streamId: target.streamId };
      try {
        // The target's decider is typed by `route`, which pairs it with this command.
        /* eslint-disable @typescript-eslint/no-unsafe-argument */
        const handled = await handleCommand(
          this.options.store,
          target.streamId,
          target.decider,
          command,
          ctx,
          {
            context: target.context,
            oncePerCausation: true,
            ...(this.options.onAppended ? { onAppended: this.options.onAppended } : {}),
          },
        );
        /* eslint-enable @typescript-eslint/no-unsafe-argument */
        const status = handled.events.length > 0 ? 'recorded' : 'unchanged';
        this.counters[status]++;
        outcomes.push({ ...base, status });
      } catch (error) {
        const refusal = refusalOf(error);
        if (!refusal) throw error;
        this.counters.refused++;
        this.logger.warn(
          {
            reactor: this.options.name,
            ...base,
            rule: refusal.rule ?? refusal.field ?? refusal.kind,
            error: refusal.message,
          },
          'reaction refused by the target; recorded as refused and moving on',
        );
        outcomes.push({
          ...base,
          status: 'refused',
          ...(refusal.rule ? { rule: refusal.rule } : {}),
          message: refusal.message,
        });
      }
    }
    return outcomes;
  }
}
