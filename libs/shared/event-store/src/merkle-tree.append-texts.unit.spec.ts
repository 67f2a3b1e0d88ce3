import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { appendLeafTexts } from './merkle-tree.append-texts';
import { appendLeaves, leafHash, rootOfLeaves, foldNodes } from './merkle-tree';

// The sealer stores what appendLeafTexts returns; proofs, verification and the audit tools
// recompute the same nodes with leafHash and appendLeaves. They must agree byte for byte.
const treeOf = (texts: readonly string[]) =>
  appendLeaves(
    0,
    [],
    texts.map((text) => leafHash(text)),
  );

describe('appendLeafTexts', () => {
  it('returns the node stream and frontier appendLeaves returns for the leaf hashes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary' }), { maxLength: 40 }),
        fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 40 }),
        (before, texts) => {
          const start = treeOf(before);
          const expected = appendLeaves(
            before.length,
            start.frontier,
            texts.map((t) => leafHash(t)),
          );
          const actual = appendLeafTexts(before.length, start.frontier, texts);
          expect(actual.nodes.equals(Buffer.concat(expected.nodes))).toBe(true);
          expect(actual.frontier).toEqual(expected.frontier);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('hashes leaves as RFC 6962 does: SHA-256(0x00 ‖ UTF-8 text), nodes SHA-256(0x01 ‖ left ‖ right)', () => {
    const sha256 = (...parts: Buffer[]) =>
      createHash('sha256').update(Buffer.concat(parts)).digest();
    const texts = ['{"a":1}', 'é\u{1f600}', ''];
    const leaves = texts.map((t) => sha256(Buffer.from([0]), Buffer.from(t, 'utf8')));
    const { nodes, frontier } = appendLeafTexts(0, [], texts);
    const parent = sha256(Buffer.from([1]), leaves[0]!, leaves[1]!);
    expect(nodes).toEqual(Buffer.concat([leaves[0]!, leaves[1]!, parent, leaves[2]!]));
    expect(foldNodes(frontier)).toEqual(rootOfLeaves(leaves));
  });

  it('refuses a frontier that does not fit the size', () => {
    const { frontier } = treeOf(['a', 'b', 'c']);
    expect(() => appendLeafTexts(4, frontier, ['d'])).toThrow(RangeError);
    expect(() => appendLeafTexts(3, [frontier[0]!, Buffer.alloc(31)], ['d'])).toThrow(RangeError);
  });
});
