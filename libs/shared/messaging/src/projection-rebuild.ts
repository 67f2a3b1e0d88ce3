import {
  START_CHECKPOINT,
  formatCheckpoint,
  type Checkpoint,
  type EventStore,
} from '@trainyard/event-store';
import type { ProjectionDefinition } from '@trainyard/kernel';
import type { Pool, PoolClient } from 'pg';
import type { MessagingLogger } from './messaging-logger';
import type { ProjectionCheckpoints } from './projection-checkpoints';
import type { ProjectionFold } from './projection-fold';
import { createCopies, swapIn } from './projection-tables';
import { inTransaction } from './transaction';

export interface RebuildProgress {
  /** `replay`: folding into the fresh tables; `swapped`: they are live (the last report). */
  readonly phase: 'replay' | 'swapped';
  /** Events folded into the fresh tables so far. */
  readonly events: number;
  readonly checkpoint: Checkpoint;
}

/** What a rebuild works with: the runner's store, tables, fold and checkpoint row. */
export interface ProjectionRebuildContext<TEvent> {
  readonly pool: Pool;
  readonly store: EventStore;
  readonly projection: ProjectionDefinition<TEvent>;
  readonly schema: string;
  readonly batchSize: number;
  readonly logger: MessagingLogger;
  readonly fold: ProjectionFold<TEvent>;
  readonly checkpoints: ProjectionCheckpoints;
}

const REBUILD_SUFFIX = '__rebuild';

/**
 * Rebuilds the read model from the first event: fresh copies of the live tables
 * (`CREATE TABLE … (LIKE … INCLUDING ALL)`, so the migrations stay the only DDL), a full replay,
 * then one transaction that locks the checkpoint, catches up to the store's end, swaps the tables
 * in and sets the checkpoint. Live runners keep updating the old tables until then, and go on
 * from the new checkpoint after. One rebuild per projection at a time (an advisory lock).
 */
export async function rebuildProjection<TEvent>(
  context: ProjectionRebuildContext<TEvent>,
  onProgress: (progress: RebuildProgress) => void | Promise<void>,
): Promise<Checkpoint> {
  const { pool, schema, projection } = context;
  await context.checkpoints.ensure();
  const lockClient = await pool.connect();
  const lockKey = `trainyard.messaging.projection-rebuild:${schema}:${projection.name}`;
  try {
    const { rows } = await lockClient.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [lockKey],
    );
    if (!rows[0]?.locked)
      throw new Error(`projection ${projection.name}: a rebuild is already running`);
    try {
      return await rebuildLocked(context, onProgress);
    } finally {
      await lockClient.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]);
    }
  } finally {
    lockClient.release();
  }
}

async function rebuildLocked<TEvent>(
  context: ProjectionRebuildContext<TEvent>,
  onProgress: (progress: RebuildProgress) => void | Promise<void>,
): Promise<Checkpoint> {
  const { pool, schema, projection, fold, checkpoints } = context;
  const transaction = (work: (tx: PoolClient) => Promise<void>) => inTransaction(pool, work);
  const readAfter = (after: Checkpoint) =>
    context.store.readAll({ after, batchSize: context.batchSize, types: projection.eventTypes });
  const started = Date.now();
  const live = [...new Set(projection.views.map((v) => v.table))];
  fold.forget(REBUILD_SUFFIX);
  await transaction((tx) => createCopies(tx, schema, live, REBUILD_SUFFIX));
  let after = START_CHECKPOINT;
  let replayed = 0;
  // Replay outside the lock until a read comes back short: the store's end is near.
  for (let short = false; !short;) {
    const read = await readAfter(after);
    if (read.events.length > 0)
      await transaction((tx) => fold.apply(tx, REBUILD_SUFFIX, read.events));
    replayed += read.events.length;
    after = read.checkpoint;
    short = read.isEnd || read.events.length < context.batchSize;
    await onProgress({ phase: 'replay', events: replayed, checkpoint: after });
  }
  await transaction(async (tx) => {
    // Holding the checkpoint row keeps live runners from committing while we catch up and swap.
    await checkpoints.lock(tx);
    for (let end = false; !end;) {
      const read = await readAfter(after);
      await fold.apply(tx, REBUILD_SUFFIX, read.events);
      replayed += read.events.length;
      after = read.checkpoint;
      end = read.isEnd;
    }
    await swapIn(tx, schema, live, REBUILD_SUFFIX);
    await checkpoints.save(tx, after);
  });
  fold.forget(REBUILD_SUFFIX);
  await onProgress({ phase: 'swapped', events: replayed, checkpoint: after });
  context.logger.info(
    {
      projection: projection.name,
      schema,
      events: replayed,
      ms: Date.now() - started,
      checkpoint: formatCheckpoint(after),
    },
    'projection rebuilt',
  );
  return after;
}
