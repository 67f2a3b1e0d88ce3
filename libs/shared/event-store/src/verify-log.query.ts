import type { PoolClient } from 'pg';
import { canonicalEventBytes } from './canonical-event';
import { leafHash } from './merkle-tree';
import { quoteIdent } from './schema-name';
import { SEALED_COLUMNS, toSealableEvent } from './sealed-fields.query';
import type { SealedRow } from './sealed-fields.query';

/** One event as the verifier needs it: its leaf index, leaf hash and commit-safe key. */
export interface LeafEvent {
  readonly leaf: number;
  readonly hash: Buffer;
  readonly transactionId: bigint;
  readonly position: bigint;
}

export interface BatchRow {
  readonly tree_size: string;
  readonly start_size: string;
  readonly first_node: string;
  readonly last_transaction_id: string;
  readonly last_position: string;
  readonly root_hash: Buffer;
  readonly node_hashes: Buffer;
}

/** Batch rows per query: each holds up to the sealer's batch size of leaves (1,000: 64 KB of nodes). */
export const BATCH_PAGE_SIZE = 50;

/**
 * The events visible in the caller's snapshot, in commit-safe order, as leaves: read a page at a
 * time by keyset on (transaction_id, position), never OFFSET, so each page costs the same however
 * deep into the log it starts, and only one page of events is held at a time.
 */
export class EventLeafReader {
  private page: LeafEvent[] = [];
  private at = 0;
  private leaf = 0;
  private after = { transactionId: 0n, position: 0n };
  private exhausted = false;
  private readonly text: string;
  /** Events read, queries run, the most events held at once (one page). */
  readonly stats = { eventsRead: 0, pagesRead: 0, maxRowsHeld: 0 };

  constructor(
    private readonly client: PoolClient,
    schema: string,
    private readonly pageSize: number,
  ) {
    this.text = `SELECT ${SEALED_COLUMNS} FROM ${quoteIdent(schema)}.events e
                  WHERE (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
                  ORDER BY e.transaction_id, e.position LIMIT $3`;
  }

  /** The next event without consuming it (one event of lookahead, across a page border too). */
  async peek(): Promise<LeafEvent | undefined> {
    if (this.at === this.page.length && !this.exhausted) await this.readPage();
    return this.page[this.at];
  }

  async next(): Promise<LeafEvent | undefined> {
    const event = await this.peek();
    if (event) this.at++;
    return event;
  }

  private async readPage(): Promise<void> {
    this.page = []; // dropped before the next page arrives
    this.at = 0;
    const { rows } = await this.client.query<SealedRow>(this.text, [
      this.after.transactionId.toString(),
      this.after.position.toString(),
      this.pageSize,
    ]);
    this.stats.pagesRead++;
    this.stats.eventsRead += rows.length;
    this.stats.maxRowsHeld = Math.max(this.stats.maxRowsHeld, rows.length);
    this.exhausted = rows.length < this.pageSize;
    this.page = rows.map((row) => {
      const event = toSealableEvent(row);
      return {
        leaf: this.leaf++,
        hash: leafHash(canonicalEventBytes(event)),
        transactionId: event.transactionId,
        position: event.position,
      };
    });
    const last = this.page[this.page.length - 1];
    if (last) this.after = { transactionId: last.transactionId, position: last.position };
  }
}

/** The stored tree batches in order of size, a page at a time (keyset on tree_size). */
export async function* readBatches(
  client: PoolClient,
  schema: string,
  stats: { maxBatchRowsHeld: number },
): AsyncGenerator<BatchRow> {
  const text = `SELECT tree_size::text AS tree_size, start_size::text AS start_size, first_node::text AS first_node,
                       last_transaction_id::text AS last_transaction_id, last_position::text AS last_position, root_hash, node_hashes
                  FROM ${quoteIdent(schema)}.event_tree_batches t WHERE t.tree_size > $1 ORDER BY t.tree_size LIMIT $2`;
  let after = 0;
  for (;;) {
    const { rows } = await client.query<BatchRow>(text, [after, BATCH_PAGE_SIZE]);
    stats.maxBatchRowsHeld = Math.max(stats.maxBatchRowsHeld, rows.length);
    for (const row of rows) {
      after = Number(row.tree_size);
      yield row;
    }
    if (rows.length < BATCH_PAGE_SIZE) return;
  }
}
