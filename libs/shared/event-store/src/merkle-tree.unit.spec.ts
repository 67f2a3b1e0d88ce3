import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  EMPTY_TREE_HASH,
  appendLeaves,
  consistencyProofRanges,
  foldNodes,
  inclusionProofRanges,
  leafHash,
  leafOffset,
  nodeOffset,
  perfectNodes,
  rootOfLeaves,
  verifyConsistency,
  verifyInclusion,
} from './merkle-tree';
import type { LeafRange } from './merkle-tree';

// An independent reference written from the RFC 6962 text, sharing no code with merkle-tree.ts.
const sha = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const refLeaf = (d: Uint8Array) => sha(Buffer.from([0]), d);
const refNode = (l: Uint8Array, r: Uint8Array) => sha(Buffer.from([1]), l, r);
const split = (n: number) => {
  let k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
};
function refMth(d: Buffer[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return d[0]!;
  const k = split(d.length);
  return refNode(refMth(d.slice(0, k)), refMth(d.slice(k)));
}
function refPath(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const k = split(d.length);
  return m < k
    ? [...refPath(m, d.slice(0, k)), refMth(d.slice(k))]
    : [...refPath(m - k, d.slice(k)), refMth(d.slice(0, k))];
}
function refSubproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [refMth(d)];
  const k = split(d.length);
  return m <= k
    ? [...refSubproof(m, d.slice(0, k), b), refMth(d.slice(k))]
    : [...refSubproof(m - k, d.slice(k), false), refMth(d.slice(0, k))];
}
/** Independent verifier: rebuilds the root from the RFC's PATH definition, walking the same splits. */
function refVerifyInclusion(
  leaf: Buffer,
  m: number,
  n: number,
  proof: Buffer[],
  root: Buffer,
): boolean {
  const walk = (m: number, n: number, proof: Buffer[]): Buffer | undefined => {
    if (n === 1) return proof.length === 0 ? leaf : undefined;
    if (proof.length === 0) return undefined;
    const k = split(n);
    const sibling = proof[proof.length - 1]!;
    const rest = proof.slice(0, -1);
    if (m < k) {
      const left = walk(m, k, rest);
      return left && refNode(left, sibling);
    }
    const right = walk(m - k, n - k, rest);
    return right && refNode(sibling, right);
  };
  return m >= 0 && m < n && (walk(m, n, proof)?.equals(root) ?? false);
}

// The Certificate Transparency test leaves (certificate-transparency-go merkle tests).
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => Buffer.from(hex, 'hex'));
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** Proofs the way the store serves them: ranges → perfect nodes → folded, nodes read from a node stream. */
function serve(ranges: LeafRange[], stream: Buffer[]): Buffer[] {
  return ranges.map((range) =>
    foldNodes(perfectNodes(range).map((node) => stream[nodeOffset(node)]!)),
  );
}
function nodeStream(leaves: Buffer[]): Buffer[] {
  return appendLeaves(0, [], leaves).nodes;
}
const leavesOf = (n: number, salt = 0) =>
  Array.from({ length: n }, (_, i) => refLeaf(Buffer.from(`leaf ${salt}:${i}`)));

describe('RFC 6962 Merkle tree', () => {
  const ctLeaves = CT_LEAVES.map((d) => leafHash(d));
  const ctStream = nodeStream(ctLeaves);

  it('hashes the empty tree, leaves and nodes with the RFC prefixes', () => {
    expect(EMPTY_TREE_HASH.toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(leafHash(Buffer.alloc(0)).toString('hex')).toBe(CT_ROOTS[0]);
  });

  it('hashes a string leaf as its UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(leafHash(text)).toEqual(refLeaf(Buffer.from(text, 'utf8')));
      }),
    );
    expect(leafHash('')).toEqual(leafHash(Buffer.alloc(0)));
  });

  it.each(CT_ROOTS.map((root, i) => [i + 1, root] as const))(
    'computes the CT test vector root of %i leaves',
    (n, root) => {
      expect(refMth(CT_LEAVES.slice(0, n).map(refLeaf)).toString('hex')).toBe(root); // the reference agrees too
      expect(rootOfLeaves(ctLeaves.slice(0, n)).toString('hex')).toBe(root);
      expect(
        foldNodes(
          perfectNodes({ start: 0, end: n }).map((node) => ctStream[nodeOffset(node)]!),
        ).toString('hex'),
      ).toBe(root);
    },
  );

  it('serves the CT test vector inclusion and consistency proofs of the 8-leaf tree', () => {
    const hex = (proof: Buffer[]) => proof.map((h) => h.toString('hex'));
    expect(hex(serve(inclusionProofRanges(0, 8), ctStream))).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(hex(serve(consistencyProofRanges(6, 8), ctStream))).toEqual([
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
    expect(hex(serve(consistencyProofRanges(2, 5), ctStream))).toEqual([
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ]);
  });

  it('follows the RFC 6962 §2.1.3 examples for the 7-leaf tree', () => {
    // a..f, j are the leaves d0..d6; g = (a,b), h = (c,d), i = (e,f), k = (g,h), l = (i,j).
    const r = (start: number, end: number) => ({ start, end });
    expect(inclusionProofRanges(0, 7)).toEqual([r(1, 2), r(2, 4), r(4, 7)]); // b, h, l
    expect(inclusionProofRanges(3, 7)).toEqual([r(2, 3), r(0, 2), r(4, 7)]); // c, g, l
    expect(inclusionProofRanges(4, 7)).toEqual([r(5, 6), r(6, 7), r(0, 4)]); // f, j, k
    expect(inclusionProofRanges(6, 7)).toEqual([r(4, 6), r(0, 4)]); // i, k
    expect(consistencyProofRanges(3, 7)).toEqual([r(2, 3), r(3, 4), r(0, 2), r(4, 7)]); // c, d, g, l
    expect(consistencyProofRanges(4, 7)).toEqual([r(4, 7)]); // l
    expect(consistencyProofRanges(6, 7)).toEqual([r(4, 6), r(6, 7), r(0, 4)]); // i, j, k
  });

  it('lays nodes out in post-order: leaf i at 2i - popcount(i)', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(leafOffset)).toEqual([0, 1, 3, 4, 7, 8, 10, 11]);
    expect(nodeOffset({ level: 3, index: 0 })).toBe(14);
    const leaves = leavesOf(37);
    const stream = nodeStream(leaves);
    expect(stream).toHaveLength(leafOffset(37));
    for (let n = 1; n <= 37; n++) {
      const { frontier } = appendLeaves(0, [], leaves.slice(0, n));
      expect(foldNodes(frontier)).toEqual(refMth(leaves.slice(0, n)));
    }
  });

  it('appends in batches to the same nodes as one by one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 8 }), (batches) => {
        const leaves = leavesOf(batches.reduce((a, b) => a + b, 0));
        let size = 0;
        let frontier: Buffer[] = [];
        const nodes: Buffer[] = [];
        for (const b of batches) {
          const step = appendLeaves(size, frontier, leaves.slice(size, size + b));
          nodes.push(...step.nodes);
          frontier = step.frontier;
          size += b;
        }
        expect(nodes).toEqual(nodeStream(leaves));
      }),
    );
  });

  it('generates proofs equal to the RFC definition that verify with an independent verifier', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), (n, a, b) => {
        const leaves = leavesOf(n);
        const stream = nodeStream(leaves);
        const m = a % n;
        const root = refMth(leaves);
        const inclusion = serve(inclusionProofRanges(m, n), stream);
        expect(inclusion).toEqual(refPath(m, leaves));
        expect(refVerifyInclusion(leaves[m]!, m, n, inclusion, root)).toBe(true);
        expect(verifyInclusion(leaves[m]!, m, n, inclusion, root)).toBe(true);

        const from = (b % n) + 1;
        const consistency = serve(consistencyProofRanges(from, n), stream);
        expect(consistency).toEqual(from === n ? [] : refSubproof(from, leaves, true));
        expect(verifyConsistency(from, n, refMth(leaves.slice(0, from)), root, consistency)).toBe(
          true,
        );
      }),
    );
  });

  it('rejects every altered proof', () => {
    const alter = fc.oneof(
      fc.record({
        kind: fc.constant('flip' as const),
        at: fc.nat(),
        bit: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('add' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
    );
    /** Always returns a proof that differs from `proof`: where a change is impossible (empty, equal neighbours) it adds a hash. */
    const tamper = (
      proof: Buffer[],
      change: { kind: string; at: number; bit?: number },
    ): Buffer[] => {
      const p = proof.map((h) => Buffer.from(h));
      const i = change.at % Math.max(p.length, 1);
      const canSwap = p.length >= 2 && !p[i]!.equals(p[(i + 1) % p.length]!);
      if (p.length === 0 || change.kind === 'add' || (change.kind === 'swap' && !canSwap)) {
        const at = change.at % (p.length + 1);
        return [...p.slice(0, at), sha(Buffer.from('x')), ...p.slice(at)];
      }
      if (change.kind === 'flip') p[i]![(change.bit ?? 0) % 32]! ^= 1 << ((change.bit ?? 0) % 8);
      if (change.kind === 'drop') p.splice(i, 1);
      if (change.kind === 'swap') [p[i], p[(i + 1) % p.length]] = [p[(i + 1) % p.length]!, p[i]!];
      return p;
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 200 }),
        fc.nat(),
        fc.nat(),
        alter,
        (n, a, b, change) => {
          const leaves = leavesOf(n, 1);
          const stream = nodeStream(leaves);
          const root = refMth(leaves);
          const m = a % n;
          const inclusion = tamper(serve(inclusionProofRanges(m, n), stream), change);
          expect(verifyInclusion(leaves[m]!, m, n, inclusion, root)).toBe(false);
          expect(refVerifyInclusion(leaves[m]!, m, n, inclusion, root)).toBe(false);
          // The right proof for another leaf or index fails as well (the size is bound by the signed checkpoint).
          const proof = serve(inclusionProofRanges(m, n), stream);
          expect(verifyInclusion(leaves[(m + 1) % n]!, m, n, proof, root)).toBe(false);
          expect(verifyInclusion(leaves[m]!, (m + 1) % n, n, proof, root)).toBe(false);

          const from = (b % (n - 1)) + 1;
          const consistency = tamper(serve(consistencyProofRanges(from, n), stream), change);
          expect(verifyConsistency(from, n, refMth(leaves.slice(0, from)), root, consistency)).toBe(
            false,
          );
          const good = serve(consistencyProofRanges(from, n), stream);
          expect(verifyConsistency(from, n, refMth(leavesOf(from, 2)), root, good)).toBe(false);
        },
      ),
    );
  });
});
