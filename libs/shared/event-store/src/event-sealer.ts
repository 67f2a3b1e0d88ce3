import type { Pool, PoolClient } from 'pg';
import { AppendSignal } from './append-signal';
import { canonicalEventBytes } from './canonical-event';
import { readNodes, readTreeHead } from './event-tree.query';
import { appendLeaves, foldNodes, leafHash, leafOffset, perfectNodes } from './merkle-tree';
import type { CheckpointSigner, SignedTreeCheckpoint } from './signed-checkpoint';
import { sealerStatements } from './event-sealer.sql';
import { assertSchemaName } from './schema-name';
import { toSealableEvent } from './sealed-fields.query';
import type { SealedRow } from './sealed-fields.query';

export interface EventSealerOptions {
  /** The longest wait between two passes when no append wakes the sealer. Default 1000 ms. */
  readonly intervalMs?: number;
  /** The shortest gap between two passes, however often appends wake it. Default min(100, intervalMs). */
  readonly minIntervalMs?: number;
  /** Events sealed per transaction. Default 1000. */
  readonly batchSize?: number;
  /** LISTEN for appends of any process and seal soon after them. Default true; otherwise only polls. */
  readonly wakeOnAppend?: boolean;
  /** Errors of background passes and of the LISTEN connection; the sealer retries on its next pass. */
  readonly onError?: (error: unknown) => void;
  /** Signs checkpoints of the tree; without it the sealer only seals. */
  readonly checkpoints?: CheckpointOptions;
}

export interface CheckpointOptions {
  readonly signer: CheckpointSigner;
  /** The log's origin line. Default: the signer's key name. */
  readonly origin?: string;
  /** A checkpoint at most this often while the tree grows (and one at start). Default 10 000 ms. */
  readonly intervalMs?: number;
  /** Where checkpoints go outside the database (a Kafka topic, a file directory). */
  readonly publishers?: readonly CheckpointPublisher[];
}

/** Publishes a signed checkpoint outside the database; a rejection is reported and retried at the next interval. */
export type CheckpointPublisher = (checkpoint: SignedTreeCheckpoint) => Promise<void>;

/** The sealed tree as the last batch left it: what the next batch extends. */
interface SealedTree {
  readonly size: number;
  readonly frontier: readonly Buffer[];
}

interface BatchResult {
  readonly sealed: number;
  /** Another instance holds the lock (background passes only try it). */
  readonly skipped: boolean;
  /** Events at or beyond the commit frontier when the batch was read: committed ones may wait there. */
  readonly pending: boolean;
}

interface PendingRow extends Partial<SealedRow> {
  readonly pending: boolean;
  readonly tree_size: string | null;
  readonly last_transaction_id: string | null;
  readonly last_position: string | null;
}

/**
 * Extends the RFC 6962 Merkle tree over events in commit-safe order (`event_tree_batches`, one row
 * per batch; leaf = SHA-256(0x00 ‖ canonicalEventBytes(event))), and signs checkpoints of it.
 * Only events below the snapshot frontier are sealed, so no transaction still in flight can later
 * commit an event in front of a sealed one. Each batch is one short transaction under a per-schema
 * advisory lock: any number of instances may run, one seals at a time, and a crashed one leaves
 * nothing half-written.
 */
export class EventSealer {
  readonly schema: string;
  private readonly intervalMs: number;
  private readonly minIntervalMs: number;
  private readonly batchSize: number;
  private readonly onError: (error: unknown) => void;
  private readonly sql: ReturnType<typeof sealerStatements>;
  private loop?: Promise<void>;
  private signal?: AppendSignal;
  private stopped = true;
  private woken = false;
  private sleeping?: 'wakeable' | 'fixed';
  private interrupt?: () => void;
  private tree?: SealedTree;
  private signedSize?: number;
  private nextCheckpointAt = 0;
  private publishing?: Promise<unknown>;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly options: EventSealerOptions = {},
  ) {
    this.schema = assertSchemaName(schema);
    this.intervalMs = positive(options.intervalMs ?? 1000, 'intervalMs');
    this.minIntervalMs = Math.min(
      positive(options.minIntervalMs ?? 100, 'minIntervalMs'),
      this.intervalMs,
    );
    this.batchSize = positive(options.batchSize ?? 1000, 'batchSize');
    this.onError = options.onError ?? (() => undefined);
    this.sql = sealerStatements(schema);
  }

  /** Starts background sealing; a no-op while running. */
  start(): void {
    if (this.loop) return;
    this.stopped = false;
    if (this.options.wakeOnAppend ?? true) {
      // The sealer only listens; notifyThrottleMs is for announcing, which it never does.
      this.signal = new AppendSignal(this.pool, this.schema, this.onError, true, 0);
      this.signal.subscribe(() => this.signalWake());
    }
    this.loop = this.run();
  }

  /**
   * Stops background sealing after the pass in flight and a checkpoint publication in flight (the
   * caller closes the Kafka producer it publishes with next), and closes the LISTEN connection.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.interrupt?.();
    await this.loop;
    this.loop = undefined;
    await this.publishing; // never rejects: checkpointIfDue reports its failure
    await this.signal?.close();
    this.signal = undefined;
  }

  /**
   * Seals every event that is commit-safe now, waiting for another instance's batch if need be.
   * Returns how many events this call sealed.
   */
  async sealPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const { sealed } = await this.sealBatch(true);
      total += sealed;
      if (sealed < this.batchSize) return total;
    }
  }

  /**
   * Seals what is commit-safe, then signs a checkpoint of the sealed tree, stores it in
   * `event_tree_checkpoints` and publishes it; rejects if a publisher fails.
   */
  async signCheckpoint(): Promise<SignedTreeCheckpoint> {
    const { checkpoint, published } = await this.sign();
    await published;
    return checkpoint;
  }

  private async sign(): Promise<{ checkpoint: SignedTreeCheckpoint; published: Promise<unknown> }> {
    const options = this.options.checkpoints;
    if (!options) throw new Error('EventSealer: no checkpoint signer configured');
    await this.sealPending();
    const head = await readTreeHead(this.pool, this.schema);
    const checkpoint = options.signer.sign({
      origin: options.origin ?? options.signer.keyName,
      treeSize: head?.treeSize ?? 0,
      rootHash: head?.rootHash ?? foldNodes([]),
    });
    await this.pool.query(this.sql.insertCheckpoint, [checkpoint.treeSize, checkpoint.note]);
    this.signedSize = checkpoint.treeSize;
    return {
      checkpoint,
      published: Promise.all((options.publishers ?? []).map((publish) => publish(checkpoint))),
    };
  }

  /**
   * Background checkpoints: publishing (Kafka, a file system) must never hold up sealing, so the
   * loop does not wait for it; a failed publication is reported and signed again next interval.
   */
  private async checkpointIfDue(): Promise<void> {
    const options = this.options.checkpoints;
    if (!options || this.publishing || Date.now() < this.nextCheckpointAt) return;
    this.nextCheckpointAt = Date.now() + (options.intervalMs ?? 10_000);
    const head = await readTreeHead(this.pool, this.schema);
    if (this.signedSize !== undefined && (head?.treeSize ?? 0) === this.signedSize) return;
    const { published } = await this.sign();
    this.publishing = published
      .catch((error: unknown) => {
        this.signedSize = undefined;
        this.onError(error);
      })
      .finally(() => (this.publishing = undefined));
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      const lastPassAt = Date.now();
      let next = this.intervalMs;
      try {
        const { sealed, skipped, pending } = await this.sealBatch(false);
        if (sealed === this.batchSize) next = 0;
        // Committed events wait behind a transaction still in flight: look again soon.
        else if (!skipped && pending) next = this.minIntervalMs;
      } catch (error) {
        this.onError(error);
      }
      try {
        await this.checkpointIfDue();
      } catch (error) {
        this.onError(error);
      }
      if (next > 0) {
        await this.sleep(next, true);
        // A wake-up ends the sleep early, but passes stay at least minIntervalMs apart.
        const gap = lastPassAt + this.minIntervalMs - Date.now();
        if (gap > 0) await this.sleep(gap, false);
      }
    }
  }

  /**
   * One pass, four round trips: BEGIN with the lock, the tree head and the pending events in one
   * statement, the batch row, COMMIT. The batch commits without waiting for its WAL flush
   * (synchronous_commit off for this transaction only): a batch lost in a crash is sealed again
   * from the same durably committed events in the same order, so byte for byte the same, and the
   * flush a sealer commit would wait for competes with the appends' own. A checkpoint is inserted
   * with a synchronous commit before it is published, which flushes every batch it covers first.
   */
  private async sealBatch(waitForLock: boolean): Promise<BatchResult> {
    const client = await this.pool.connect();
    try {
      const begun = (await client.query(
        waitForLock ? this.sql.beginLocked : this.sql.beginTryLock,
      )) as unknown as { rows: { locked?: boolean }[] }[];
      if (begun[begun.length - 1]?.rows[0]?.locked === false) {
        await client.query('ROLLBACK');
        return { sealed: 0, skipped: true, pending: false };
      }
      const { sealed, pending } = await this.sealUnderLock(client);
      await client.query('COMMIT');
      return { sealed, skipped: false, pending };
    } catch (error) {
      this.tree = undefined;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async sealUnderLock(
    client: PoolClient,
  ): Promise<{ readonly sealed: number; readonly pending: boolean }> {
    // Read after taking the lock: the statement's fresh snapshot sees the previous holder's batches.
    const { rows: read } = await client.query<PendingRow>({
      name: this.sql.pendingEvents,
      text: this.sql.pendingEventsText,
      values: [this.batchSize],
    });
    const first = read[0];
    if (!first) throw new Error('EventSealer: no head row');
    const rows = read.filter((row): row is PendingRow & SealedRow => row.position != null);
    if (rows.length === 0) return { sealed: 0, pending: first.pending };
    const size = Number(first.tree_size ?? 0);
    const frontier =
      this.tree?.size === size
        ? this.tree.frontier
        : await readNodes(client, this.schema, perfectNodes({ start: 0, end: size }));
    const leaves = rows.map((row) => leafHash(canonicalEventBytes(toSealableEvent(row))));
    const grown = appendLeaves(size, frontier, leaves);
    const last = rows[rows.length - 1]!;
    const treeSize = size + rows.length;
    await client.query({
      name: this.sql.insertBatch,
      text: this.sql.insertBatchText,
      values: [
        treeSize,
        size,
        leafOffset(size),
        last.transaction_id,
        last.position,
        foldNodes(grown.frontier),
        Buffer.concat(grown.nodes),
      ],
    });
    // Trusted for the next batch only if this transaction commits; sealBatch clears it otherwise.
    this.tree = { size: treeSize, frontier: grown.frontier };
    return { sealed: rows.length, pending: first.pending };
  }

  private signalWake(): void {
    this.woken = true;
    if (this.sleeping === 'wakeable') this.interrupt?.();
  }

  /** Ends early on stop(), and on an append when `wakeable` (after one that came since the pass began). */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopped || (wakeable && this.woken)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.interrupt = undefined;
        this.sleeping = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interrupt = done;
      this.sleeping = wakeable ? 'wakeable' : 'fixed';
    });
  }
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`EventSealer: ${name} must be a positive integer, got ${value}`);
  return value;
}
