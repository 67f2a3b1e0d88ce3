import type { Pool } from 'pg';
import { quoteSchema } from './messaging.migrations';
import { errorMessage, silentLogger, type MessagingLogger } from './messaging-logger';

export interface InboxPruneOptions {
  /**
   * Rows handled longer ago than this (by the database's clock) are deleted. A redelivery of an
   * event whose row is gone is handled again, so this must exceed the time Kafka can still
   * deliver a message after it was handled: the topic's `retention.ms` plus its `segment.ms`
   * (a segment is deleted whole, once its newest message is past retention).
   */
  readonly retentionDays: number;
  /** Rows deleted per statement (each its own short transaction). Default 1000. */
  readonly batchSize?: number;
  /** Stops between batches (a shutdown). */
  readonly signal?: AbortSignal;
}

export interface InboxPruneResult {
  readonly deleted: number;
  /** DELETE statements run (the last one deleted fewer than `batchSize`, or the run was stopped). */
  readonly batches: number;
}

/**
 * Deletes the inbox rows (every consumer group's) handled more than `retentionDays` ago, oldest
 * first, in batches of `batchSize`, each one statement committed on its own: no lock is held
 * longer than one batch, and rows another transaction has locked are skipped (SKIP LOCKED), so
 * neither consumers nor a second pruner (another instance) ever wait on it. Uses
 * `inbox_handled_at_idx` (messaging migration 0002).
 */
export async function pruneInbox(
  pool: Pool,
  schema: string,
  options: InboxPruneOptions,
): Promise<InboxPruneResult> {
  const { retentionDays, batchSize = 1000, signal } = options;
  if (!Number.isInteger(retentionDays) || retentionDays < 1)
    throw new Error(`inbox prune: retentionDays must be a whole number >= 1, got ${retentionDays}`);
  const inbox = `${quoteSchema(schema)}.inbox`;
  const statement = `
    WITH doomed AS (
      SELECT consumer_group, event_id FROM ${inbox}
       WHERE handled_at < now() - $1::int * interval '1 day'
       ORDER BY handled_at
       LIMIT $2
       FOR UPDATE SKIP LOCKED)
    DELETE FROM ${inbox} i USING doomed d
     WHERE i.consumer_group = d.consumer_group AND i.event_id = d.event_id`;
  let deleted = 0;
  let batches = 0;
  while (!signal?.aborted) {
    const { rowCount } = await pool.query(statement, [retentionDays, batchSize]);
    batches++;
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < batchSize) break;
  }
  return { deleted, batches };
}

export interface InboxPrunerOptions extends Omit<InboxPruneOptions, 'signal'> {
  readonly pool: Pool;
  readonly schema: string;
  /** Between two runs; 0 = never on its own (`prune()` still works). The first run is one interval after start. */
  readonly intervalMs: number;
  readonly logger?: MessagingLogger;
}

/**
 * Runs `pruneInbox` every `intervalMs` in a service (the platform starts one per service: every
 * service's schema has an inbox). Runs in one process never overlap; `stop()` ends the run in
 * flight after its current batch.
 */
export class InboxPruner {
  private timer?: NodeJS.Timeout;
  private running?: Promise<InboxPruneResult>;
  private readonly stopping = new AbortController();
  private readonly logger: MessagingLogger;

  constructor(private readonly options: InboxPrunerOptions) {
    quoteSchema(options.schema);
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    if (this.timer || this.options.intervalMs === 0) return;
    this.timer = setInterval(() => {
      this.prune().catch((error: unknown) =>
        this.logger.warn(
          { schema: this.options.schema, error: errorMessage(error) },
          'inbox prune failed; next run at the next interval',
        ),
      );
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One run now (or the one in flight). */
  prune(): Promise<InboxPruneResult> {
    const { pool, schema, retentionDays, batchSize } = this.options;
    this.running ??= pruneInbox(pool, schema, {
      retentionDays,
      ...(batchSize === undefined ? {} : { batchSize }),
      signal: this.stopping.signal,
    })
      .then((result) => {
        if (result.deleted > 0)
          this.logger.info(
            { schema: this.options.schema, ...result, retentionDays: this.options.retentionDays },
            'inbox pruned',
          );
        return result;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await this.running?.catch(() => undefined);
  }
}
