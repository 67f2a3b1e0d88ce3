import { createHash, hash } from 'node:crypto';

/**
 * RFC 6962 §2.1 Merkle tree hashing and proofs (the same as RFC 9162 §2.1), pure.
 *
 * Leaves are numbered 0…n-1. A *node* is a perfect subtree: level h, index k covers the leaves
 * [k·2^h, (k+1)·2^h). The store keeps every node, in post-order ("the node stream"): leaf i is
 * followed by the nodes it completes, bottom up, so node (h, k) sits at offset 2i − popcount(i) + h
 * with i = (k+1)·2^h − 1 its last leaf. Any subtree hash a proof needs is a right fold over at most
 * log2(n) such nodes, which is what makes proofs O(log n).
 */

export const HASH_SIZE = 32;

/** MTH({}) = SHA-256() */
export const EMPTY_TREE_HASH: Buffer = createHash('sha256').digest();

/**
 * MTH({d}) = SHA-256(0x00 ‖ d); a string is hashed as its UTF-8 bytes (U+0000 is the byte 0x00),
 * in one call without a Hash object or a copy of the bytes: the sealer hashes every event's text.
 */
export function leafHash(data: Uint8Array | string): Buffer {
  if (typeof data === 'string') return hash('sha256', `\u0000${data}`, 'buffer');
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

/** SHA-256(0x01 ‖ left ‖ right), in one call: a Hash object per node cost the sealer more than the hashing. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer');
}

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

export interface TreeNode {
  readonly level: number;
  readonly index: number;
}

/** A run of leaves [start, end). */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** Offset of node (level, index) in the post-order node stream. */
export function nodeOffset(node: TreeNode): number {
  const lastLeaf = (node.index + 1) * 2 ** node.level - 1;
  return leafOffset(lastLeaf) + node.level;
}

/** Offset of leaf i in the node stream: 2i − popcount(i). Also the number of nodes of a tree of i leaves. */
export function leafOffset(leaf: number): number {
  return 2 * leaf - popcount(leaf);
}

/**
 * The perfect subtrees covering [start, end), left to right, greedily largest first. For every
 * range RFC 6962 hashes (start aligned to a power of two at least the range's length) the hash is
 * the right fold of these: H(n1, H(n2, … n_last)).
 */
export function perfectNodes(range: LeafRange): TreeNode[] {
  const nodes: TreeNode[] = [];
  let start = range.start;
  while (start < range.end) {
    let level = 0;
    while (start % 2 ** (level + 1) === 0 && start + 2 ** (level + 1) <= range.end) level++;
    nodes.push({ level, index: start / 2 ** level });
    start += 2 ** level;
  }
  return nodes;
}

/** MTH of an RFC 6962 subtree from the hashes of its `perfectNodes`, in the same order. */
export function foldNodes(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return EMPTY_TREE_HASH;
  let hash = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) hash = nodeHash(hashes[i]!, hash);
  return hash;
}

/** MTH(D[0:n]) of in-memory leaf hashes, by the RFC's recursive definition. */
export function rootOfLeaves(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_TREE_HASH;
  if (leaves.length === 1) return leaves[0]!;
  const k = largestPowerOfTwoBelow(leaves.length);
  return nodeHash(rootOfLeaves(leaves.slice(0, k)), rootOfLeaves(leaves.slice(k)));
}

/**
 * An RFC 6962 tree grown one leaf at a time that keeps only its compact range: the hashes of
 * `perfectNodes({0, size})`, one per set bit of size, so at most log2(size) + 1 of them. Its root
 * is MTH(D[0:size]) (RFC 9162 §2.1.1) computed incrementally, without the leaves.
 */
export class CompactRange {
  private readonly stack: Buffer[];
  private count: number;

  constructor(size = 0, frontier: readonly Buffer[] = []) {
    if (frontier.length !== popcount(size))
      throw new RangeError(
        `a tree of ${size} leaves has ${popcount(size)} frontier nodes, not ${frontier.length}`,
      );
    this.count = size;
    this.stack = [...frontier];
  }

  get size(): number {
    return this.count;
  }

  /** The hashes of `perfectNodes({0, size})`, left to right. */
  get frontier(): readonly Buffer[] {
    return this.stack;
  }

  /** Appends one leaf hash; returns the nodes it completes in node-stream order, the leaf first. */
  append(leaf: Buffer): Buffer[] {
    this.stack.push(leaf);
    const nodes = [leaf];
    this.count++;
    for (let c = this.count; c % 2 === 0; c /= 2) {
      const right = this.stack.pop()!;
      const left = this.stack.pop()!;
      const parent = nodeHash(left, right);
      this.stack.push(parent);
      nodes.push(parent);
    }
    return nodes;
  }

  root(): Buffer {
    return foldNodes(this.stack);
  }
}

/**
 * Appends leaves to a tree given by its right frontier (the hashes of `perfectNodes({0, size})`),
 * returning every node the new leaves complete in node-stream order, and the new frontier.
 */
export function appendLeaves(
  size: number,
  frontier: readonly Buffer[],
  leaves: readonly Buffer[],
): { readonly nodes: Buffer[]; readonly frontier: Buffer[] } {
  const range = new CompactRange(size, frontier);
  const nodes = leaves.flatMap((leaf) => range.append(leaf));
  return { nodes, frontier: [...range.frontier] };
}

/** RFC 6962 §2.1.1 PATH(m, D[0:n]) as the ranges whose MTH form the proof, leaf side first. */
export function inclusionProofRanges(leafIndex: number, treeSize: number): LeafRange[] {
  assertSize(treeSize);
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) {
    throw new RangeError(`leaf index ${leafIndex} is not in a tree of ${treeSize} leaves`);
  }
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = treeSize;
  let m = leafIndex;
  while (end - start > 1) {
    const k = largestPowerOfTwoBelow(end - start);
    if (m < k) {
      ranges.push({ start: start + k, end });
      end = start + k;
    } else {
      ranges.push({ start, end: start + k });
      start += k;
      m -= k;
    }
  }
  return ranges.reverse();
}

/** RFC 6962 §2.1.2 PROOF(m, D[0:n]) as the ranges whose MTH form the proof, in the RFC's order. */
export function consistencyProofRanges(fromSize: number, toSize: number): LeafRange[] {
  assertSize(fromSize);
  assertSize(toSize);
  if (fromSize > toSize) throw new RangeError(`from size ${fromSize} exceeds to size ${toSize}`);
  if (fromSize === 0 || fromSize === toSize) return [];
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = toSize;
  let m = fromSize;
  let complete = true; // the RFC's b: the old tree is a complete subtree so far
  while (m !== end - start) {
    const k = largestPowerOfTwoBelow(end - start);
    if (m <= k) {
      ranges.push({ start: start + k, end });
      end = start + k;
    } else {
      ranges.push({ start, end: start + k });
      start += k;
      m -= k;
      complete = false;
    }
  }
  if (!complete) ranges.push({ start, end });
  return ranges.reverse();
}

/** RFC 9162 §2.1.3.2: does `proof` prove leaf `leafIndex` with hash `leaf` in the tree with `root`? */
export function verifyInclusion(
  leaf: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (leafIndex < 0 || leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (toSize, toRoot) extends (fromSize, fromRoot)? */
export function verifyConsistency(
  fromSize: number,
  toSize: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (fromSize < 0 || fromSize > toSize) return false;
  if (fromSize === toSize) return proof.length === 0 && Buffer.from(fromRoot).equals(toRoot);
  if (fromSize === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(fromSize) ? [fromRoot, ...proof] : [...proof];
  let fn = fromSize - 1;
  let sn = toSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(fromRoot) && sr.equals(toRoot) && sn === 0;
}

export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

export function popcount(n: number): number {
  let count = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) count += x % 2;
  return count;
}

function assertSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0)
    throw new RangeError(`tree size ${size} is not a size`);
}
