import fc from 'fast-check';
import { CompactRange, appendLeaves, leafHash, leafOffset, rootOfLeaves } from './merkle-tree';

const leavesOf = (n: number): Buffer[] =>
  Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));

/** The most nodes a compact range of n leaves may hold: one per bit of n. */
const bound = (n: number) => (n === 0 ? 0 : Math.floor(Math.log2(n)) + 1);

describe('CompactRange: RFC 6962 MTH computed incrementally', () => {
  it('has the whole-tree root at every size it passes, holding at most log2(n) + 1 nodes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1100 }), fc.nat(1100), (n, at) => {
        const leaves = leavesOf(n);
        const checkpoint = Math.min(at, n);
        const range = new CompactRange();
        let rootAtCheckpoint = checkpoint === 0 ? range.root() : undefined;
        let maxKept = 0;
        for (const leaf of leaves) {
          range.append(leaf);
          maxKept = Math.max(maxKept, range.frontier.length);
          if (range.size === checkpoint) rootAtCheckpoint = range.root();
        }
        expect(range.size).toBe(n);
        expect(range.root()).toEqual(rootOfLeaves(leaves));
        expect(rootAtCheckpoint).toEqual(rootOfLeaves(leaves.slice(0, checkpoint)));
        expect(maxKept).toBeLessThanOrEqual(bound(n));
      }),
      {
        numRuns: 60,
        // Powers of two and their neighbours: where the frontier collapses to one node or peaks.
        examples: [
          [0, 0],
          [1, 1],
          [2, 1],
          [1023, 512],
          [1024, 1023],
          [1025, 1024],
        ],
      },
    );
  });

  it('resumes from a stored frontier to the same root and nodes as one pass', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), (a, b) => {
        const leaves = leavesOf(a + b);
        const first = new CompactRange();
        for (const leaf of leaves.slice(0, a)) first.append(leaf);
        const resumed = new CompactRange(a, first.frontier);
        const nodes = leaves.slice(a).flatMap((leaf) => resumed.append(leaf));
        expect(resumed.root()).toEqual(rootOfLeaves(leaves));
        expect(Buffer.concat(nodes)).toEqual(
          Buffer.concat(appendLeaves(0, [], leaves).nodes.slice(leafOffset(a))),
        );
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a frontier that cannot belong to the size', () => {
    expect(() => new CompactRange(3, leavesOf(1))).toThrow(/3 leaves has 2 frontier nodes, not 1/);
  });
});
