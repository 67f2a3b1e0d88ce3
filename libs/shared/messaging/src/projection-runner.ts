import {
  START_CHECKPOINT,
  compareCheckpoints,
  formatCheckpoint,
  parseCheckpoint,
  type Checkpoint,
  type EventStore,
  type StoredEvent,
  type Subscription,
} from '@trainyard/event-store';
import type { Pool, PoolClient } from 'pg';
import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import { quoteSchema } from './messaging.migrations';
import { errorMessage, silentLogger, type MessagingLogger } from './messaging-logger';
import { foldInto, keyId, viewKeys, type ProjectionDefinition } from '@trainyard/kernel';
import {
  ViewTable,
  assertTableName,
  createCopies,
  describeTable,
  swapIn,
} from './projection-tables';
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
}

export interface RebuildProgress {
  /** `replay`: folding into the fresh tables; `swapped`: they are live (the last report). */
  readonly phase: 'replay' | 'swapped';
  /** Events folded into the fresh tables so far. */
  readonly events: number;
  readonly checkpoint: Checkpoint;
}

const REBUILD_SUFFIX = '__rebuild';

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
  private readonly sql: { lock: string; update: string; insert: string; select: string };
  private readonly tables = new Map<string, ViewTable[]>();
  private expected: Checkpoint = START_CHECKPOINT;
  private position: Checkpoint = START_CHECKPOINT;
  private waiters: { target: Checkpoint; resolve: () => void }[] = [];
  private stopController?: AbortController;
  private loop?: Promise<void>;
  private appliedCount = 0;

  constructor(private readonly options: ProjectionRunnerOptions<TEvent>) {
    const { projection, store } = options;
    this.name = projection.name;
    if (!this.name) throw new Error('projection runner: empty name');
    if (projection.views.length === 0) throw new Error(`projection ${this.name}: no views`);
    for (const view of projection.views) assertTableName(view.table);
    this.schema = store.schema;
    const s = quoteSchema(this.schema);
    this.logger = options.logger ?? silentLogger;
    this.backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    this.batchSize = options.batchSize ?? 500;
    this.sql = {
      lock: `SELECT checkpoint FROM ${s}.projection_checkpoints WHERE projection = $1 FOR UPDATE`,
      select: `SELECT checkpoint FROM ${s}.projection_checkpoints WHERE projection = $1`,
      update: `UPDATE ${s}.projection_checkpoints SET checkpoint = $2, updated_at = now() WHERE projection = $1`,
      insert: `INSERT INTO ${s}.projection_checkpoints (projection, checkpoint) VALUES ($1, $2) ON CONFLICT (projection) DO NOTHING`,
    };
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
    await this.options.pool.query(this.sql.insert, [this.name, formatCheckpoint(START_CHECKPOINT)]);
    this.reached(await this.storedCheckpoint());
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
   * Rebuilds the read model from the first event: fresh copies of the live tables
   * (`CREATE TABLE … (LIKE … INCLUDING ALL)`, so the migrations stay the only DDL), a full replay,
   * then one transaction that locks the checkpoint, catches up to the store's end, swaps the tables
   * in and sets the checkpoint. Live runners keep updating the old tables until then, and go on
   * from the new checkpoint after. One rebuild per projection at a time (an advisory lock).
   */
  async rebuild(
    onProgress: (progress: RebuildProgress) => void | Promise<void> = () => undefined,
  ): Promise<Checkpoint> {
    await this.options.pool.query(this.sql.insert, [this.name, formatCheckpoint(START_CHECKPOINT)]);
    const lockClient = await this.options.pool.connect();
    const lockKey = `trainyard.messaging.projection-rebuild:${this.schema}:${this.name}`;
    try {
      const { rows } = await lockClient.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [lockKey],
      );
      if (!rows[0]?.locked)
        throw new Error(`projection ${this.name}: a rebuild is already running`);
      try {
        return await this.rebuildLocked(onProgress);
      } finally {
        await lockClient.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]);
      }
    } finally {
      lockClient.release();
    }
  }

  private async run(stop: AbortSignal): Promise<void> {
    const context = { projection: this.name, schema: this.schema };
    let failures = 0;
    while (!stop.aborted) {
      let subscription: Subscription | undefined;
      try {
        this.expected = await this.storedCheckpoint();
        this.reached(this.expected);
        subscription = this.options.store.subscribe({
          from: this.expected,
          batchSize: this.batchSize,
          types: this.options.projection.eventTypes,
          pollIntervalMs: this.options.pollIntervalMs ?? 500,
          handler: (batch) => this.applyBatch(batch.events, batch.checkpoint),
          onSkipped: (checkpoint) => this.reached(checkpoint),
          onReadError: (error) =>
            this.logger.warn(
              { ...context, error: errorMessage(error) },
              'projection read failed; retrying',
            ),
        });
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
        await subscription?.stop();
      }
    }
  }

  private async applyBatch(events: readonly StoredEvent[], checkpoint: Checkpoint): Promise<void> {
    await this.transaction(async (tx) => {
      const { rows } = await tx.query<{ checkpoint: string }>(this.sql.lock, [this.name]);
      const stored = rows[0] ? parseCheckpoint(rows[0].checkpoint) : undefined;
      if (!stored) throw new Error(`projection ${this.name}: checkpoint row missing`);
      if (compareCheckpoints(stored, this.expected) !== 0) throw new CheckpointMoved(stored);
      await this.fold(tx, '', events);
      await tx.query(this.sql.update, [this.name, formatCheckpoint(checkpoint)]);
    });
    this.expected = checkpoint;
    this.appliedCount += events.length;
    this.reached(checkpoint);
  }

  /** Loads the rows `events` touch from the tables with `suffix`, folds, saves what changed. */
  private async fold(
    tx: PoolClient,
    suffix: string,
    stored: readonly StoredEvent[],
  ): Promise<void> {
    if (stored.length === 0) return;
    const { projection } = this.options;
    const tables = await this.viewTables(tx, suffix);
    const events = stored.map((event) => projection.toEvent(event));
    const before: Map<string, unknown>[] = [];
    for (const [i, view] of projection.views.entries()) {
      const keys = new Map<string, readonly string[]>();
      for (const event of events)
        for (const key of viewKeys(view, event))
          keys.set(keyId(key), typeof key === 'string' ? [key] : key);
      before.push(await (tables[i] as ViewTable).load(tx, keys));
    }
    const after = before.map((state) => new Map(state));
    foldInto(projection, after, events);
    for (const [i, table] of tables.entries())
      await table.save(tx, before[i] as Map<string, unknown>, after[i] as Map<string, unknown>);
  }

  private async viewTables(tx: PoolClient, suffix: string): Promise<ViewTable[]> {
    const cached = this.tables.get(suffix);
    if (cached) return cached;
    const s = quoteSchema(this.schema);
    const tables: ViewTable[] = [];
    for (const view of this.options.projection.views) {
      // The copies have the live tables' shape; their own names are only used in statements.
      const shape = await describeTable(tx, `${s}."${view.table}"`);
      tables.push(new ViewTable(view, shape, `${s}."${view.table}${suffix}"`));
    }
    this.tables.set(suffix, tables);
    return tables;
  }

  private async rebuildLocked(
    onProgress: (progress: RebuildProgress) => void | Promise<void>,
  ): Promise<Checkpoint> {
    const context = { projection: this.name, schema: this.schema };
    const started = Date.now();
    const live = [...new Set(this.options.projection.views.map((v) => v.table))];
    this.tables.delete(REBUILD_SUFFIX);
    await this.transaction((tx) => createCopies(tx, this.schema, live, REBUILD_SUFFIX));
    let after = START_CHECKPOINT;
    let replayed = 0;
    // Replay outside the lock until a read comes back short: the store's end is near.
    for (let short = false; !short;) {
      const read = await this.readAfter(after);
      if (read.events.length > 0)
        await this.transaction((tx) => this.fold(tx, REBUILD_SUFFIX, read.events));
      replayed += read.events.length;
      after = read.checkpoint;
      short = read.isEnd || read.events.length < this.batchSize;
      await onProgress({ phase: 'replay', events: replayed, checkpoint: after });
    }
    await this.transaction(async (tx) => {
      // Holding the checkpoint row keeps live runners from committing while we catch up and swap.
      await tx.query(this.sql.lock, [this.name]);
      for (let end = false; !end;) {
        const read = await this.readAfter(after);
        await this.fold(tx, REBUILD_SUFFIX, read.events);
        replayed += read.events.length;
        after = read.checkpoint;
        end = read.isEnd;
      }
      await swapIn(tx, this.schema, live, REBUILD_SUFFIX);
      await tx.query(this.sql.update, [this.name, formatCheckpoint(after)]);
    });
    this.tables.delete(REBUILD_SUFFIX);
    await onProgress({ phase: 'swapped', events: replayed, checkpoint: after });
    this.logger.info(
      {
        ...context,
        events: replayed,
        ms: Date.now() - started,
        checkpoint: formatCheckpoint(after),
      },
      'projection rebuilt',
    );
    return after;
  }

  private readAfter(after: Checkpoint) {
    return this.options.store.readAll({
      after,
      batchSize: this.batchSize,
      types: this.options.projection.eventTypes,
    });
  }

  private reached(checkpoint: Checkpoint): void {
    if (compareCheckpoints(checkpoint, this.position) > 0) this.position = checkpoint;
    const ready = this.waiters.filter((w) => compareCheckpoints(this.position, w.target) >= 0);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }

  private async storedCheckpoint(): Promise<Checkpoint> {
    const { rows } = await this.options.pool.query<{ checkpoint: string }>(this.sql.select, [
      this.name,
    ]);
    return rows[0] ? parseCheckpoint(rows[0].checkpoint) : START_CHECKPOINT;
  }

  private transaction(work: (tx: PoolClient) => Promise<void>): Promise<void> {
    return inTransaction(this.options.pool, work);
  }
}
