import type { Pool, PoolClient } from 'pg';
import { canonicalEventJson } from './canonical-event';
import { assertCommitOrder } from './commit-order';
import { readNodes } from './event-tree.query';
import { foldNodes, leafOffset, perfectNodes } from './merkle-tree';
import { appendLeafTexts } from './merkle-tree.append-texts';
import { sealerStatements } from './event-sealer.sql';
import { toSealableEvent } from './sealed-fields.query';
import type { SealedRow } from './sealed-fields.query';

/** The sealed tree as the last batch left it: what the next batch extends. */
interface SealedTree {
  readonly size: number;
  readonly frontier: readonly Buffer[];
}

export interface BatchResult {
  readonly sealed: number;
  /** Another instance holds the lock (background passes only try it). */
  readonly skipped: boolean;
  /** Events at or beyond the commit frontier when the batch was read: committed ones may wait there. */
  readonly pending: boolean;
}

/** The pending read's first row; the events follow it (event-sealer.sql.ts). */
interface HeadRow {
  readonly pending: boolean;
  readonly tree_size: string | null;
}

/** Where the EventSealer's passes run: in the caller's thread (SealerBatches) or a worker's (event-sealer.thread.ts). */
export interface Batches {
  /** One pass (SealerBatches.seal). */
  seal(waitForLock: boolean): Promise<BatchResult>;
  /** Releases what the passes hold beyond the caller's pool (a worker and its connection). */
  close(): Promise<void>;
}

/** The EventSealer's batches: each seals the next commit-safe events into the tree. */
export class SealerBatches implements Batches {
  private readonly sql: ReturnType<typeof sealerStatements>;
  private tree?: SealedTree;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly batchSize: number,
  ) {
    this.sql = sealerStatements(schema);
  }

  /**
   * One pass, four round trips: BEGIN with the lock, the tree head and the pending events in one
   * statement, the batch row, COMMIT. The batch commits without waiting for its WAL flush
   * (synchronous_commit off for this transaction only): a batch lost in a crash is sealed again
   * from the same durably committed events in the same order, so byte for byte the same, and the
   * flush a sealer commit would wait for competes with the appends' own. A checkpoint is inserted
   * with a synchronous commit before it is published, which flushes every batch it covers first.
   */
  async seal(waitForLock: boolean): Promise<BatchResult> {
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

  close(): Promise<void> {
    return Promise.resolve(); // the passes use the caller's pool and hold nothing of their own
  }

  private async sealUnderLock(
    client: PoolClient,
  ): Promise<{ readonly sealed: number; readonly pending: boolean }> {
    // Read after taking the lock: the statement's fresh snapshot sees the previous holder's batches.
    const { rows: read } = await client.query<HeadRow | SealedRow>({
      name: this.sql.pendingEvents,
      text: this.sql.pendingEventsText,
      values: [this.batchSize],
    });
    const [head, ...rows] = read as [HeadRow, ...SealedRow[]];
    if (!head || head.pending == null) throw new Error('EventSealer: no head row');
    if (rows.length === 0) return { sealed: 0, pending: head.pending };
    assertCommitOrder(rows);
    const size = Number(head.tree_size ?? 0);
    const frontier =
      this.tree?.size === size
        ? this.tree.frontier
        : await readNodes(client, this.schema, perfectNodes({ start: 0, end: size }));
    const texts = rows.map((row) => canonicalEventJson(toSealableEvent(row)));
    const grown = appendLeafTexts(size, frontier, texts);
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
        grown.nodes,
      ],
    });
    // Trusted for the next batch only if this transaction commits; seal() clears it otherwise.
    this.tree = { size: treeSize, frontier: grown.frontier };
    return { sealed: rows.length, pending: head.pending };
  }
}
