import {
  START_CHECKPOINT,
  compareCheckpoints,
  formatCheckpoint,
  type Checkpoint,
  type EventStore,
  type StoredEvent,
  type Subscription,
} from '@trainyard/event-store';
import type { ProjectionDefinition } from '@trainyard/kernel';
import type { Pool } from 'pg';
import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import { errorMessage, silentLogger, type MessagingLogger } from './messaging-logger';
import { ProjectionCheckpoints } from './projection-checkpoints';
import { ProjectionFold } from './projection-fold';
import { rebuildProjection, type RebuildProgress } from './projection-rebuild';
import { assertTableName } from './projection-tables';
import { whenAborted } from './session-lock';
import { inTransaction } from './transaction';

export interface ProjectionRunnerOptions<TEvent> {
  readonly pool: Pool;
  /** Its schema holds the read-model tables and `projection_checkpoints` (migrateMessaging). */
  readonly store: EventStore;
  readonly projection: ProjectionDefinition<TEvent>;
  /** Events per transaction. Default 500. */
  readonly batchSize?: number;
  readonly logger?: MessagingLogger;
  /** After a failing batch, before resuming from the stored checkpoint. Default 500 ms doubling to 30 s. */
  readonly backoff?: BackoffOptions;
  /** The store subscription's fallback poll. Default 500 ms. */
  readonly pollIntervalMs?: number;
  /**
   * The subscription's linger (SubscribeOptions.lingerMs): under a steady stream of appends a
   * transaction folds this many milliseconds of them, not one round trip's. A `waitFor` (a
   * read-your-writes query) ends it at once, so only readers that do not wait see the delay.
   * Default 20 ms (bench/README, "Fifth look": 0 → 5 → 20 ms each gave the command path 4–7 %).
   */
  readonly lingerMs?: number;
}

/** Another runner (or a rebuild) moved the checkpoint: resume from there. */
class CheckpointMoved extends Error {
  constructor(readonly checkpoint: Checkpoint) {
    super(`checkpoint moved to ${formatCheckpoint(checkpoint)}`);
    this.name = 'CheckpointMoved';
  }
}

/**
 * Keeps a projection's tables up to date with the store, folding with the projection's pure
 * folds. Each batch is one transaction: lock the checkpoint row (SELECT … FOR UPDATE), check it is
 * where this runner left it, load the rows the batch touches (one statement per table), fold,
 * save the changed rows (one statement per table), move the checkpoint, commit. The read model and
 * its checkpoint never disagree, and two runners of one projection never both apply an event: the
 * second finds the checkpoint moved, drops its batch and resumes from there. A failing batch stops
 * the projection at that point, retried with backoff, never skipped.
 *
 * `rebuild()` replays the store into fresh copies of the tables while the live ones keep serving
 * and updating, then swaps them in and sets the checkpoint in one transaction.
 */
export class ProjectionRunner<TEvent> {
  private readonly schema: string;
  private readonly logger: MessagingLogger;
  private readonly backoff: BackoffOptions;
  private readonly batchSize: number;
  private readonly name: string;
  private readonly checkpoints: ProjectionCheckpoints;
  private readonly fold: ProjectionFold<TEvent>;
  private expected: Checkpoint = START_CHECKPOINT;
  private position: Checkpoint = START_CHECKPOINT;
  private waiters: { target: Checkpoint; resolve: () => void }[] = [];
  private stopController?: AbortController;
  private loop?: Promise<void>;
  private subscription?: Subscription;
  private appliedCount = 0;

  constructor(private readonly options: ProjectionRunnerOptions<TEvent>) {
    const { projection, store } = options;
    this.name = projection.name;
    if (!this.name) throw new Error('projection runner: empty name');
    if (projection.views.length === 0) throw new Error(`projection ${this.name}: no views`);
    for (const view of projection.views) assertTableName(view.table);
    this.schema = store.schema;
    this.logger = options.logger ?? silentLogger;
    this.backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    this.batchSize = options.batchSize ?? 500;
    this.checkpoints = new ProjectionCheckpoints(options.pool, this.schema, this.name);
    this.fold = new ProjectionFold(projection, this.schema);
  }

  /** Where the live tables are known to be: this runner's last batch, or the stored checkpoint it resumed from. */
  get checkpoint(): Checkpoint {
    return this.position;
  }

  /** Events this runner has folded into the live tables. */
  get applied(): number {
    return this.appliedCount;
  }

  /** Follows the store in the background, from the stored checkpoint (its row is created if missing). */
  async start(): Promise<void> {
    if (this.loop) return;
    await this.checkpoints.ensure();
    this.reached(await this.checkpoints.stored());
    const controller = new AbortController();
    this.stopController = controller;
    this.loop = this.run(controller.signal);
  }

  /** Lets the batch in flight commit (or roll back), then ends. Pending `waitFor`s answer at once. */
  async stop(): Promise<void> {
    this.stopController?.abort();
    await this.loop;
    this.loop = undefined;
    this.stopController = undefined;
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  /**
   * Resolves true once every event up to `target` is in the tables as this runner knows them
   * (read-your-writes for this process's own appends), false after `timeoutMs`.
   */
  waitFor(target: Checkpoint, timeoutMs: number): Promise<boolean> {
    if (compareCheckpoints(this.position, target) >= 0) return Promise.resolve(true);
    this.subscription?.hurry();
    return new Promise((resolve) => {
      const waiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve(compareCheckpoints(this.position, target) >= 0);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /**
   * Rebuilds the read model from the first event into fresh copies of the tables, then swaps them
   * in and sets the checkpoint in one transaction (see rebuildProjection).
   */
  rebuild(
    onProgress: (progress: RebuildProgress) => void | Promise<void> = () => undefined,
  ): Promise<Checkpoint> {
    const { pool, store, projection } = this.options;
    return rebuildProjection(
      {
        pool,
        store,
        projection,
        schema: this.schema,
        batchSize: this.batchSize,
        logger: this.logger,
        fold: this.fold,
        checkpoints: this.checkpoints,
      },
      onProgress,
    );
  }

  private async run(stop: AbortSignal): Promise<void> {
    const context = { projection: this.name, schema: this.schema };
    let failures = 0;
    while (!stop.aborted) {
      let subscription: Subscription | undefined;
      try {
        this.expected = await this.checkpoints.stored();
        this.reached(this.expected);
        subscription = this.options.store.subscribe({
          from: this.expected,
          batchSize: this.batchSize,
          types: this.options.projection.eventTypes,
          pollIntervalMs: this.options.pollIntervalMs ?? 500,
          lingerMs: this.options.lingerMs ?? 20,
          handler: (batch) => this.applyBatch(batch.events, batch.checkpoint),
          onSkipped: (checkpoint) => this.reached(checkpoint),
          onReadError: (error) =>
            this.logger.warn(
              { ...context, error: errorMessage(error) },
              'projection read failed; retrying',
            ),
        });
        this.subscription = subscription;
        await Promise.race([subscription.done, whenAborted(stop)]);
        failures = 0;
      } catch (error) {
        if (error instanceof CheckpointMoved) {
          this.logger.debug(
            { ...context, checkpoint: formatCheckpoint(error.checkpoint) },
            'projection checkpoint moved by another runner; resuming from it',
          );
          continue;
        }
        failures++;
        this.logger.error(
          { ...context, error: errorMessage(error), failures },
          'projection batch failed; resuming from the stored checkpoint',
        );
        await sleep(backoffDelay(failures, this.backoff), stop);
      } finally {
        this.subscription = undefined;
        await subscription?.stop();
      }
    }
  }

  private async applyBatch(events: readonly StoredEvent[], checkpoint: Checkpoint): Promise<void> {
    await inTransaction(this.options.pool, async (tx) => {
      const stored = await this.checkpoints.lock(tx);
      if (!stored) throw new Error(`projection ${this.name}: checkpoint row missing`);
      if (compareCheckpoints(stored, this.expected) !== 0) throw new CheckpointMoved(stored);
      await this.fold.apply(tx, '', events);
      await this.checkpoints.save(tx, checkpoint);
    });
    this.expected = checkpoint;
    this.appliedCount += events.length;
    this.reached(checkpoint);
  }

  private reached(checkpoint: Checkpoint): void {
    if (compareCheckpoints(checkpoint, this.position) > 0) this.position = checkpoint;
    const ready = this.waiters.filter((w) => compareCheckpoints(this.position, w.target) >= 0);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }
}
