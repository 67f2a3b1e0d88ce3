import { formatCheckpoint, parseCheckpoint } from '@trainyard/event-store';
import type { Checkpoint, EventStore, SubscriptionBatch } from '@trainyard/event-store';
import type { Pool } from 'pg';
import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import { quoteSchema } from './messaging.migrations';
import { namedStatement } from './named-statement';
import { errorMessage, type MessagingLogger } from './messaging-logger';
import { SessionLock, whenAborted } from './session-lock';

export type LockedSubscriptionState = 'stopped' | 'waiting' | 'active';

export interface LockedSubscriptionOptions {
  readonly pool: Pool;
  readonly store: EventStore;
  /** Where relay_checkpoints lives. */
  readonly schema: string;
  /** The advisory lock's key: one holder per key at a time. */
  readonly lockKey: string;
  /** The relay_checkpoints row. */
  readonly checkpointName: string;
  readonly applicationName: string;
  readonly types?: readonly string[];
  readonly batchSize: number;
  readonly pollIntervalMs?: number;
  readonly lockRetryMs: number;
  readonly lockKeepAliveMs: number;
  readonly backoff: BackoffOptions;
  readonly logger: MessagingLogger;
  /** Log context and wording, e.g. `{ relay: name }` and 'outbox relay'. */
  readonly context: Record<string, unknown>;
  readonly label: string;
  /** The work for one batch; `interrupt` aborts when stopping or when the lock is lost. */
  readonly handle: (batch: SubscriptionBatch, interrupt: AbortSignal) => Promise<void>;
}

interface LoopEvents {
  readonly onState: (state: LockedSubscriptionState) => void;
  readonly onCheckpoint: (checkpoint: Checkpoint) => void;
}

/** The background life of `runLockedSubscription`: start, stop, where it stands. */
export class LockedSubscription {
  private currentState: LockedSubscriptionState = 'stopped';
  private lastCheckpoint?: Checkpoint;
  private stopController?: AbortController;
  private loop?: Promise<void>;

  constructor(private readonly options: LockedSubscriptionOptions) {}

  /** 'waiting': another instance holds the lock (or the database is unreachable). */
  get state(): LockedSubscriptionState {
    return this.currentState;
  }

  /** The checkpoint this instance last stored, if any. */
  get checkpoint(): Checkpoint | undefined {
    return this.lastCheckpoint;
  }

  /** Starts in the background: waits for the lock, then follows the store until stop(). */
  start(): void {
    if (this.loop) return;
    const controller = new AbortController();
    this.stopController = controller;
    this.currentState = 'waiting';
    this.loop = runLockedSubscription(
      {
        ...this.options,
        onState: (state) => (this.currentState = state),
        onCheckpoint: (checkpoint) => (this.lastCheckpoint = checkpoint),
      },
      controller.signal,
    );
  }

  /** Lets the batch in flight finish (its work and checkpoint), releases the lock. */
  async stop(): Promise<void> {
    this.stopController?.abort();
    await this.loop;
    this.loop = undefined;
    this.stopController = undefined;
  }
}

/**
 * The loop the outbox relay and the reactors share: wait for a session advisory lock, follow the
 * store subscription from the stored checkpoint, and after each handled batch store the checkpoint
 * through the lock's own connection (an instance that lost the lock can no longer move it). A
 * failure (or a lost lock) releases the lock and resumes from the stored checkpoint after backoff,
 * so a batch is handled again rather than skipped. Resolves once `stop` aborts.
 */
async function runLockedSubscription(
  options: LockedSubscriptionOptions & LoopEvents,
  stop: AbortSignal,
): Promise<void> {
  const { logger, context, label } = options;
  let failures = 0;
  while (!stop.aborted) {
    options.onState('waiting');
    const lock = await SessionLock.acquire({
      pool: options.pool,
      key: options.lockKey,
      stop,
      retryMs: options.lockRetryMs,
      keepAliveMs: options.lockKeepAliveMs,
      logger,
      applicationName: options.applicationName.slice(0, 63),
    });
    if (!lock) break;
    try {
      options.onState('active');
      logger.info(context, `${label} active`);
      await followWhileLocked(options, lock, stop);
      failures = 0;
    } catch (error) {
      if (stop.aborted) break;
      failures++;
      logger.warn(
        { ...context, error: errorMessage(error), failures },
        `${label} interrupted; resuming from the stored checkpoint`,
      );
      await sleep(backoffDelay(failures, options.backoff), stop);
    } finally {
      await lock.release();
    }
  }
  options.onState('stopped');
}

async function followWhileLocked(
  options: LockedSubscriptionOptions & LoopEvents,
  lock: SessionLock,
  stop: AbortSignal,
): Promise<void> {
  const table = `${quoteSchema(options.schema)}.relay_checkpoints`;
  const interrupt = AbortSignal.any([stop, lock.signal]);
  const saveCheckpoint = namedStatement(
    `INSERT INTO ${table} (name, checkpoint, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (name) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = excluded.updated_at`,
  );
  const { rows } = await lock.client.query<{ checkpoint: string }>(
    `SELECT checkpoint FROM ${table} WHERE name = $1`,
    [options.checkpointName],
  );
  const stored = rows[0] ? parseCheckpoint(rows[0].checkpoint) : undefined;
  const subscription = options.store.subscribe({
    from: stored ?? 'start',
    batchSize: options.batchSize,
    ...(options.types ? { types: options.types } : {}),
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    handler: async (batch) => {
      await options.handle(batch, interrupt);
      // Through the lock's own connection: if the lock is gone, this fails and nothing moves.
      // Named: prepared once on the lock's connection, not parsed and planned for every batch.
      await lock.client.query({
        ...saveCheckpoint,
        values: [options.checkpointName, formatCheckpoint(batch.checkpoint)],
      });
      options.onCheckpoint(batch.checkpoint);
    },
    onReadError: (error) =>
      options.logger.warn(
        { ...options.context, error: errorMessage(error) },
        `${options.label} read failed; retrying`,
      ),
  });
  try {
    await Promise.race([subscription.done, whenAborted(interrupt)]);
  } finally {
    await subscription.stop();
  }
  if (lock.signal.aborted && !stop.aborted)
    throw new Error(`lost the lock connection: ${errorMessage(lock.signal.reason)}`);
}
