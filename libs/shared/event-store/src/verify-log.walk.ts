import { CompactRange, HASH_SIZE, leafOffset } from './merkle-tree';
import type { SignedTreeCheckpoint } from './signed-checkpoint';
import type { BatchRow, EventLeafReader, LeafEvent } from './verify-log.query';
import type { LogVerificationFailure } from './verify-log.types';

/** Every batch and every checkpoint up to the sealed tree's size matched. */
export interface SealedTreeWalked {
  readonly ok: true;
  /** The sealed tree's size, and its root recomputed from the events. */
  readonly size: number;
  readonly rootHash: Buffer;
  /** Events in the snapshot, sealed or not. */
  readonly events: number;
  /** The event at leaf `size` (the first one not sealed yet), and the last event. */
  readonly positionAtSize: bigint | null;
  readonly lastPosition: bigint | null;
  /** Positions of the events at the checkpoints' sizes (leaf index = size). */
  readonly positions: ReadonlyMap<number, bigint>;
}

/**
 * One pass over the events in commit-safe order beside the stored batches in tree order: each
 * event's leaf hash is compared with its sealed leaf, appended to a compact range (O(log n) nodes)
 * and every node it completes compared with the batch's; at each batch's end its root and last
 * event; and, once the batch that reaches a checkpoint's size matched, the root signed for it.
 * Holds one page of events, one page of batches and, per checkpoint, its root and the position of
 * the event at its size, never the log.
 */
export class SealedTreeWalk {
  private readonly tree = new CompactRange();
  /** Recomputed roots at the checkpoints' sizes, and the positions of the events at those leaves. */
  private readonly roots = new Map<number, Buffer>();
  private readonly positions = new Map<number, bigint>();
  private readonly wanted: ReadonlySet<number>;
  private reached = 0;
  private goodSize = 0;
  private size = 0;
  private previous: LeafEvent | undefined;
  maxNodesKept = 0;

  /** `checkpoints` sorted by tree size; their signatures checked already. */
  constructor(
    private readonly reader: EventLeafReader,
    private readonly checkpoints: readonly SignedTreeCheckpoint[],
  ) {
    this.wanted = new Set([0, ...checkpoints.map((c) => c.treeSize)]);
    this.roots.set(0, this.tree.root());
  }

  async run(batches: AsyncIterable<BatchRow>): Promise<SealedTreeWalked | LogVerificationFailure> {
    const early = this.checkReachedCheckpoints();
    if (early) return early;
    for await (const batch of batches) {
      const failed = (await this.checkBatch(batch)) ?? this.checkReachedCheckpoints();
      if (failed) return failed;
    }
    const positionAtSize = (await this.reader.peek())?.position ?? null;
    for (let event = await this.reader.next(); event; event = await this.reader.next())
      this.previous = event;
    return {
      ok: true,
      size: this.size,
      rootHash: this.tree.root(),
      events: this.previous ? this.previous.leaf + 1 : 0,
      positionAtSize,
      lastPosition: this.previous?.position ?? null,
      positions: this.positions,
    };
  }

  private async checkBatch(batch: BatchRow): Promise<LogVerificationFailure | undefined> {
    const failed = await this.checkBorder(batch);
    if (failed) return failed;
    const [start, end] = [Number(batch.start_size), Number(batch.tree_size)];
    const stored = (offset: number) =>
      batch.node_hashes.subarray(
        (offset - leafOffset(start)) * HASH_SIZE,
        (offset - leafOffset(start) + 1) * HASH_SIZE,
      );
    let firstPosition: bigint | undefined;
    let nodesMatch = batch.node_hashes.length === (leafOffset(end) - leafOffset(start)) * HASH_SIZE;
    for (let leaf = start; leaf < end; leaf++) {
      const event = await this.reader.next();
      if (!event) {
        const position = leaf === end - 1 ? BigInt(batch.last_position) : null;
        return fail(
          leaf,
          leaf,
          `the events sealed at leaves ${leaf}..${end - 1}${this.after()} are missing (removed); the last of them had position ${batch.last_position}`,
          position,
        );
      }
      if (!stored(leafOffset(leaf)).equals(event.hash)) {
        const sealed = (at: number) => stored(leafOffset(at));
        return fail(leaf, leaf, await this.describeMismatch(event, end, sealed), event.position);
      }
      firstPosition ??= event.position;
      const nodes = this.append(event);
      nodesMatch &&= nodes.every((node, i) => stored(leafOffset(leaf) + i).equals(node));
    }
    return this.checkBatchEnd(batch, nodesMatch, firstPosition ?? null);
  }

  /** The batch starts where the matched tree ends, at its place in the node stream. */
  private async checkBorder(batch: BatchRow): Promise<LogVerificationFailure | undefined> {
    const [start, end] = [Number(batch.start_size), Number(batch.tree_size)];
    const range = `leaves ${start}..${end - 1}`;
    if (start !== this.size || Number(batch.first_node) !== leafOffset(start)) {
      const at = (await this.reader.peek())?.position ?? null;
      if (start > this.size)
        return fail(
          this.size,
          this.size,
          `the tree batches covering leaves ${this.size}..${start - 1} are missing (deleted?)`,
          at,
        );
      if (start < this.size)
        return fail(
          this.size,
          this.size,
          `tree batch for ${range} overlaps the previous batch (inserted?)`,
          at,
        );
      return fail(this.size, start, `tree batch for ${range} has a wrong first_node`, at);
    }
    return undefined;
  }

  /** After its leaves matched: the batch's nodes, root and last event. */
  private checkBatchEnd(
    batch: BatchRow,
    nodesMatch: boolean,
    at: bigint | null,
  ): LogVerificationFailure | undefined {
    const [start, end] = [Number(batch.start_size), Number(batch.tree_size)];
    const range = `leaves ${start}..${end - 1}`;
    if (!nodesMatch)
      return fail(start, start, `the stored tree nodes of the batch for ${range} were changed`, at);
    if (!this.tree.root().equals(batch.root_hash))
      return fail(start, start, `the stored root of the batch for ${range} was changed`, at);
    const last = this.previous;
    if (
      last?.transactionId.toString() !== batch.last_transaction_id ||
      last.position.toString() !== batch.last_position
    ) {
      const reason = `the batch for ${range} names another last event (position ${batch.last_position})`;
      return fail(start, end - 1, reason, last?.position ?? null);
    }
    this.size = end;
    return undefined;
  }

  private append(event: LeafEvent): Buffer[] {
    if (this.wanted.has(event.leaf)) this.positions.set(event.leaf, event.position);
    const nodes = this.tree.append(event.hash);
    if (this.wanted.has(this.tree.size)) this.roots.set(this.tree.size, this.tree.root());
    this.maxNodesKept = Math.max(this.maxNodesKept, this.tree.frontier.length);
    this.previous = event;
    return nodes;
  }

  /** Each checkpoint within the matched tree: the root signed for its size. */
  private checkReachedCheckpoints(): LogVerificationFailure | undefined {
    for (let c = this.checkpoints[this.reached]; c && c.treeSize <= this.size;) {
      if (!this.roots.get(c.treeSize)!.equals(c.rootHash)) {
        return fail(
          this.goodSize,
          this.goodSize,
          `the events at leaves ${this.goodSize}..${c.treeSize - 1} do not hash to the root signed for size ${c.treeSize}: ` +
            'changed, inserted, removed or reordered together with their tree batches',
          this.positions.get(this.goodSize) ?? null,
        );
      }
      this.goodSize = c.treeSize;
      c = this.checkpoints[++this.reached];
    }
    return undefined;
  }

  /**
   * Why the event at a leaf differs from the sealed one. Looks one event ahead (inserted), at the
   * next sealed leaf (removed), then on through the rest of the log for the sealed event (moved):
   * a scan to the end on the failure path only, still one page at a time.
   */
  private async describeMismatch(
    event: LeafEvent,
    end: number,
    sealed: (leaf: number) => Buffer,
  ): Promise<string> {
    const { leaf, position } = event;
    const at = `leaf ${leaf} (event at position ${position})`;
    if ((await this.reader.peek())?.hash.equals(sealed(leaf)))
      return `${at} was not sealed there: an event was inserted (or moved) in front of the sealed ones`;
    if (leaf + 1 < end && event.hash.equals(sealed(leaf + 1)))
      return `the event sealed at leaf ${leaf} is missing before position ${position} (removed)`;
    for (let later = await this.reader.next(); later; later = await this.reader.next())
      if (later.hash.equals(sealed(leaf)))
        return `${at}: the sealed event is elsewhere in the order (reordered)`;
    return `${at} does not match its sealed leaf hash (changed, or an event removed)`;
  }

  /** " (after position p)" of the last event read, for a message about what follows it. */
  private after(): string {
    return this.previous
      ? ` (after position ${this.previous.position})`
      : ' (from the first event on)';
  }
}

export function fail(
  checked: number,
  firstBadLeaf: number | null,
  reason: string,
  firstBadPosition: bigint | null,
): LogVerificationFailure {
  return { ok: false, checked, firstBadLeaf, firstBadPosition, reason };
}
