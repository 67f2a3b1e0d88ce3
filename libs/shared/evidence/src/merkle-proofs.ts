import {
  CompactRange,
  consistencyProofRanges,
  foldNodes,
  inclusionProofRanges,
  nodeHash,
  perfectNodes,
  rootOfLeaves,
} from '@trainyard/event-store';

/**
 * MTH of leaves 0..size-1 taken in order from `leafAt`, keeping a compact range (O(log n) hashes)
 * instead of an array of every leaf; or the index of the first missing leaf.
 */
export function rootOfPrefix(
  leafAt: (index: number) => Buffer | undefined,
  size: number,
): { readonly root: Buffer } | { readonly missingLeaf: number } {
  const range = new CompactRange();
  for (let i = 0; i < size; i++) {
    const leaf = leafAt(i);
    if (!leaf) return { missingLeaf: i };
    range.append(leaf);
  }
  return { root: range.root() };
}

/**
 * RFC 6962 inclusion proofs for many leaves of one tree, computed in memory from its leaf hashes:
 * every perfect subtree is hashed once (levels[h][k]), so each proof costs O(log n) lookups, the
 * same fold the store uses on its stored nodes (ADR 0010).
 */
export class InMemoryTree {
  private readonly levels: Buffer[][];

  constructor(readonly leaves: readonly Buffer[]) {
    this.levels = [[...leaves]];
    for (let h = 0; this.levels[h]!.length > 1; h++) {
      const below = this.levels[h]!;
      const above: Buffer[] = [];
      for (let k = 0; k + 1 < below.length; k += 2) above.push(nodeHash(below[k]!, below[k + 1]!));
      this.levels.push(above);
    }
  }

  get size(): number {
    return this.leaves.length;
  }

  /** MTH of the whole tree. */
  root(): Buffer {
    return this.rangeHash(0, this.leaves.length);
  }

  /** RFC 6962 §2.1.1 PATH(leafIndex, D[0:size]), leaf side first. */
  inclusionProof(leafIndex: number): Buffer[] {
    return inclusionProofRanges(leafIndex, this.leaves.length).map((r) =>
      this.rangeHash(r.start, r.end),
    );
  }

  /** MTH of the first `size` leaves. */
  rootAt(size: number): Buffer {
    return this.rangeHash(0, size);
  }

  /** RFC 6962 §2.1.2 PROOF(fromSize, D[0:size]): this tree extends the one of `fromSize` leaves. */
  consistencyProof(fromSize: number): Buffer[] {
    return consistencyProofRanges(fromSize, this.leaves.length).map((r) =>
      this.rangeHash(r.start, r.end),
    );
  }

  private rangeHash(start: number, end: number): Buffer {
    if (start === end) return rootOfLeaves([]);
    return foldNodes(
      perfectNodes({ start, end }).map((node) => this.levels[node.level]![node.index]!),
    );
  }
}
