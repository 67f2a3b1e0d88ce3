import { leafHash, rootOfLeaves } from '@trainyard/event-store';
import { rootOfPrefix } from './merkle-proofs';

describe('rootOfPrefix', () => {
  const leaves = Array.from({ length: 33 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));

  it('is the RFC 6962 root of the first n leaves, for every n up to 33 (the empty tree too)', () => {
    for (let n = 0; n <= 33; n++)
      expect(rootOfPrefix((i) => leaves[i], n)).toEqual({ root: rootOfLeaves(leaves.slice(0, n)) });
  });

  it('names the first missing leaf, and reads no further', () => {
    const read: number[] = [];
    const leafAt = (i: number) => (read.push(i), i === 5 || i === 9 ? undefined : leaves[i]);
    expect(rootOfPrefix(leafAt, 20)).toEqual({ missingLeaf: 5 });
    expect(read).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
