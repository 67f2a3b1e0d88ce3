import {
  START_CHECKPOINT,
  compareCheckpoints,
  formatCheckpoint,
  parseCheckpoint,
} from '@trainyard/event-store';
import type {
  Checkpoint,
  EventStore,
  StoredEvent,
  Subscription,
  SubscriptionBatch,
} from '@trainyard/event-store';
import type { Pool, PoolClient } from 'pg';
import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import { quoteSchema } from './messaging.migrations';
import { errorMessage, silentLogger, type MessagingLogger } from './messaging-logger';
import { whenAborted } from './session-lock';

/** Logical table name → the schema-qualified, quoted name to use in SQL for this run. */
export type ProjectionTables<TTable extends string = string> = Readonly<Record<TTable, string>>;

/**
 * A read model: tables it owns and a fold of events into them. It never names its tables
 * directly in SQL but takes them from `tables`, so the runner can build a fresh copy beside the
 * live one (rebuild) and swap it in.
 */
export interface Projection<TTable extends string = string> {
  /** The tables it owns: unqualified names in the store's schema, [a-z_][a-z0-9_]*, at most 54 characters. */
  readonly tables: readonly TTable[];
  /** Only these event types are applied (the checkpoint still moves past the others). */
  readonly types?: readonly string[];
  /**
   * Creates the tables (and their indexes) under the given names, which do not exist yet: called
   * once for the live tables and for every rebuild. Leave indexes unnamed (`CREATE INDEX ON …`):
   * the server derives names from the table's, and a rebuild renames them with the table.
   */
  init(tx: PoolClient, tables: ProjectionTables<TTable>): Promise<void>;
  /** Folds one event into the tables, through `tx` only. Called in commit-safe order. */
  apply(tx: PoolClient, event: StoredEvent, tables: ProjectionTables<TTable>): Promise<void>;
}

export interface ProjectionRunnerOptions<TTable extends string = string> {
  readonly pool: Pool;
  /** Its schema holds the read-model tables and projection_checkpoints (migrateMessaging). */
  readonly store: EventStore;
  /** The checkpoint row's key. */
  readonly name: string;
  readonly projection: Projection<TTable>;
  /** Events per transaction. Default 500. */
  readonly batchSize?: number;
  readonly logger?: MessagingLogger;
  /** After a failing batch, before resuming from the stored checkpoint. Default 500 ms doubling to 30 s. */
  readonly backoff?: BackoffOptions;
  /** The store subscription's fallback poll. Default 1000 ms. */
  readonly pollIntervalMs?: number;
}

const TABLE_NAME = /^[a-z_][a-z0-9_]{0,53}$/;
const REBUILD_SUFFIX = '__rebuild';
const OLD_SUFFIX = '__old';

/** Another runner (or a rebuild) moved the checkpoint: resume from there. */
class CheckpointMoved extends Error {
  constructor(readonly checkpoint: Checkpoint) {
    super(`checkpoint moved to ${formatCheckpoint(checkpoint)}`);
    this.name = 'CheckpointMoved';
  }
}

/**
 * Keeps a projection's tables up to date with the store. Each batch is one transaction: lock the
 * checkpoint row (SELECT … FOR UPDATE), check it is still where this runner left it, apply the
 * events, move the checkpoint, commit. The read model and its checkpoint therefore never disagree,
 * and two runners of one projection never both apply an event: the second one finds the
 * checkpoint moved, drops its batch and resumes from the stored checkpoint. A failing event stops
 * the projection at that point (retried with backoff) rather than being skipped.
 *
 * `rebuild()` replays the whole store into fresh `<table>__rebuild` tables while the live tables
 * keep serving and updating, then swaps them in and sets the checkpoint in one transaction.
 */
export class ProjectionRunner<TTable extends string = string> {
  private readonly schema: string;
  private readonly logger: MessagingLogger;
  private readonly backoff: BackoffOptions;
  private readonly batchSize: number;
  private readonly liveTables: ProjectionTables<TTable>;
  private readonly rebuildTables: ProjectionTables<TTable>;
  private readonly sql: {
    readonly lock: string;
    readonly update: string;
    readonly insert: string;
    readonly reset: string;
  };
  private expected: Checkpoint = START_CHECKPOINT;
  private stopController?: AbortController;
  private loop?: Promise<void>;
  private appliedCount = 0;

  constructor(private readonly options: ProjectionRunnerOptions<TTable>) {
    const { projection, store, name } = options;
    if (!name) throw new Error('projection runner: empty name');
    if (projection.tables.length === 0) throw new Error(`projection ${name}: no tables`);
    for (const table of projection.tables) {
      if (!TABLE_NAME.test(table))
        throw new Error(`projection ${name}: invalid table name ${JSON.stringify(table)}`);
    }
    this.schema = store.schema;
    const s = quoteSchema(this.schema);
    this.logger = options.logger ?? silentLogger;
    this.backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    this.batchSize = options.batchSize ?? 500;
    this.liveTables = this.qualify('');
    this.rebuildTables = this.qualify(REBUILD_SUFFIX);
    this.sql = {
      lock: `SELECT checkpoint FROM ${s}.projection_checkpoints WHERE projection = $1 FOR UPDATE`,
      update: `UPDATE ${s}.projection_checkpoints SET checkpoint = $2, updated_at = now() WHERE projection = $1`,
      insert: `INSERT INTO ${s}.projection_checkpoints (projection, checkpoint) VALUES ($1, $2) ON CONFLICT (projection) DO NOTHING`,
      reset: `INSERT INTO ${s}.projection_checkpoints (projection, checkpoint) VALUES ($1, $2)
              ON CONFLICT (projection) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = now()`,
    };
  }

  /** The live tables' SQL names. */
  get tables(): ProjectionTables<TTable> {
    return this.liveTables;
  }

  /** Where this runner last left the checkpoint. */
  get checkpoint(): Checkpoint {
    return this.expected;
  }

  /** Events this runner has applied to the live tables. */
  get applied(): number {
    return this.appliedCount;
  }

  /** Creates the live tables and checkpoint row if missing, then follows the store in the background. */
  async start(): Promise<void> {
    if (this.loop) return;
    await this.ensureLive();
    const controller = new AbortController();
    this.stopController = controller;
    this.loop = this.run(controller.signal);
  }

  /** Lets the batch in flight commit (or roll back), then ends. */
  async stop(): Promise<void> {
    this.stopController?.abort();
    await this.loop;
    this.loop = undefined;
    this.stopController = undefined;
  }

  /**
   * Rebuilds the read model from the first event: fresh tables, a full replay, then one transaction
   * that catches up to the store's end, swaps the tables in (old ones dropped) and sets the
   * checkpoint. Live runners keep updating the old tables until that transaction commits, then go on
   * from the new checkpoint. Returns that checkpoint. Only one rebuild per projection at a time.
   */
  async rebuild(): Promise<Checkpoint> {
    await this.ensureCheckpointRow();
    const lockClient = await this.options.pool.connect();
    const lockKey = `trainyard.messaging.projection-rebuild:${this.schema}:${this.options.name}`;
    try {
      const { rows } = await lockClient.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [lockKey],
      );
      if (!rows[0]?.locked)
        throw new Error(`projection ${this.options.name}: a rebuild is already running`);
      try {
        return await this.rebuildLocked();
      } finally {
        await lockClient.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]);
      }
    } finally {
      lockClient.release();
    }
  }

  private qualify(suffix: string): ProjectionTables<TTable> {
    const s = quoteSchema(this.schema);
    return Object.fromEntries(
      this.options.projection.tables.map((t) => [t, `${s}."${t}${suffix}"`]),
    ) as ProjectionTables<TTable>;
  }

  /**
   * Creates the live tables when none exists, with the checkpoint (re)set to the start: fresh tables
   * hold nothing, whatever an old checkpoint row says. When only some exist (a projection that
   * gained a table), it refuses: a rebuild creates them all.
   */
  private async ensureLive(): Promise<void> {
    const { name, projection } = this.options;
    await this.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `trainyard.messaging.projection-init:${this.schema}:${name}`,
      ]);
      const { rows } = await tx.query<{ table: string }>(
        'SELECT t AS table FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NULL',
        [Object.values<string>(this.liveTables)],
      );
      if (rows.length === projection.tables.length) {
        await projection.init(tx, this.liveTables);
        await tx.query(this.sql.reset, [name, formatCheckpoint(START_CHECKPOINT)]);
        this.logger.info(
          { projection: name, schema: this.schema },
          'projection tables created; folding from the start',
        );
      } else if (rows.length > 0) {
        throw new Error(
          `projection ${name}: ${rows.map((r) => r.table).join(', ')} missing while other tables exist; run rebuild()`,
        );
      } else {
        await tx.query(this.sql.insert, [name, formatCheckpoint(START_CHECKPOINT)]);
      }
    });
  }

  private async ensureCheckpointRow(): Promise<void> {
    await this.options.pool.query(this.sql.insert, [
      this.options.name,
      formatCheckpoint(START_CHECKPOINT),
    ]);
  }

  private async run(stop: AbortSignal): Promise<void> {
    const context = { projection: this.options.name, schema: this.schema };
    let failures = 0;
    while (!stop.aborted) {
      let subscription: Subscription | undefined;
      try {
        this.expected = await this.storedCheckpoint();
        subscription = this.options.store.subscribe({
          from: this.expected,
          batchSize: this.batchSize,
          ...(this.options.projection.types ? { types: this.options.projection.types } : {}),
          ...(this.options.pollIntervalMs === undefined
            ? {}
            : { pollIntervalMs: this.options.pollIntervalMs }),
          handler: (batch) => this.applyBatch(batch),
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

  private async applyBatch(batch: SubscriptionBatch): Promise<void> {
    await this.transaction(async (tx) => {
      const { rows } = await tx.query<{ checkpoint: string }>(this.sql.lock, [this.options.name]);
      const stored = rows[0] ? parseCheckpoint(rows[0].checkpoint) : undefined;
      if (!stored) throw new Error(`projection ${this.options.name}: checkpoint row missing`);
      if (compareCheckpoints(stored, this.expected) !== 0) throw new CheckpointMoved(stored);
      for (const event of batch.events)
        await this.options.projection.apply(tx, event, this.liveTables);
      await tx.query(this.sql.update, [this.options.name, formatCheckpoint(batch.checkpoint)]);
    });
    this.expected = batch.checkpoint;
    this.appliedCount += batch.events.length;
  }

  private async rebuildLocked(): Promise<Checkpoint> {
    const { projection, name } = this.options;
    const context = { projection: name, schema: this.schema };
    const started = Date.now();
    await this.transaction(async (tx) => {
      await tx.query(
        `DROP TABLE IF EXISTS ${Object.values<string>(this.rebuildTables).join(', ')}`,
      );
      await projection.init(tx, this.rebuildTables);
    });
    let after = START_CHECKPOINT;
    let replayed = 0;
    for (let end = false; !end;) {
      const read = await this.readAfter(after);
      if (read.events.length > 0) {
        await this.transaction(async (tx) => {
          for (const event of read.events) await projection.apply(tx, event, this.rebuildTables);
        });
      }
      replayed += read.events.length;
      after = read.checkpoint;
      end = read.isEnd;
    }
    await this.transaction(async (tx) => {
      // Holding the checkpoint row keeps live runners from committing while we catch up and swap.
      await tx.query(this.sql.lock, [name]);
      for (let end = false; !end;) {
        const read = await this.readAfter(after);
        for (const event of read.events) await projection.apply(tx, event, this.rebuildTables);
        replayed += read.events.length;
        after = read.checkpoint;
        end = read.isEnd;
      }
      await this.swapTables(tx);
      await tx.query(this.sql.update, [name, formatCheckpoint(after)]);
    });
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
    const types = this.options.projection.types;
    return this.options.store.readAll({
      after,
      batchSize: this.batchSize,
      ...(types ? { types } : {}),
    });
  }

  private async swapTables(tx: PoolClient): Promise<void> {
    const s = quoteSchema(this.schema);
    const tables = this.options.projection.tables;
    for (const table of tables)
      await tx.query(`ALTER TABLE IF EXISTS ${s}."${table}" RENAME TO "${table}${OLD_SUFFIX}"`);
    // Dropped together, so foreign keys between the projection's own tables do not get in the way.
    await tx.query(
      `DROP TABLE IF EXISTS ${tables.map((t) => `${s}."${t}${OLD_SUFFIX}"`).join(', ')}`,
    );
    for (const table of tables) {
      await tx.query(`ALTER TABLE ${s}."${table}${REBUILD_SUFFIX}" RENAME TO "${table}"`);
      await this.renameDependents(tx, table);
    }
  }

  /**
   * Indexes (with their constraints) and owned sequences keep the names they were created with,
   * e.g. `release_plan__rebuild_pkey`; the next rebuild would collide with them, so they take the
   * live table's prefix back.
   */
  private async renameDependents(tx: PoolClient, table: string): Promise<void> {
    const s = quoteSchema(this.schema);
    const prefix = `${table}${REBUILD_SUFFIX}`;
    const { rows } = await tx.query<{ relname: string; relkind: string }>(
      `SELECT c.relname, c.relkind
         FROM pg_class c
        WHERE c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = $1::regclass)
           OR c.oid IN (SELECT objid FROM pg_depend
                         WHERE refobjid = $1::regclass AND classid = 'pg_class'::regclass AND deptype IN ('a', 'i'))`,
      [`${s}."${table}"`],
    );
    for (const { relname, relkind } of rows) {
      if (!relname.startsWith(prefix)) continue;
      const kind = relkind === 'S' ? 'SEQUENCE' : relkind === 'i' ? 'INDEX' : undefined;
      if (!kind) continue;
      const renamed = `${table}${relname.slice(prefix.length)}`.replace(/"/g, '""');
      await tx.query(`ALTER ${kind} ${s}."${relname.replace(/"/g, '""')}" RENAME TO "${renamed}"`);
    }
  }

  private async storedCheckpoint(): Promise<Checkpoint> {
    const { rows } = await this.options.pool.query<{ checkpoint: string }>(
      `SELECT checkpoint FROM ${quoteSchema(this.schema)}.projection_checkpoints WHERE projection = $1`,
      [this.options.name],
    );
    return rows[0] ? parseCheckpoint(rows[0].checkpoint) : START_CHECKPOINT;
  }

  private async transaction(work: (tx: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.options.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      await work(client);
      const commit = await client.query('COMMIT');
      // A statement that failed inside `work` but was swallowed turns COMMIT into a rollback.
      if (commit.command !== 'COMMIT')
        throw new Error('the transaction was rolled back: a statement in it failed');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
