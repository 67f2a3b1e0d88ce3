import fc from 'fast-check';
import { canonicalize } from 'json-canonicalize';
import { canonicalJson } from './canonical-json';

// Sealed Merkle leaves must stay verifiable: canonicalJson has to agree with the reference
// implementation (json-canonicalize, which the leaves were first hashed with) on every input.
const reference = (value: unknown): { ok: string } | { error: string } => {
  try {
    return { ok: canonicalize(value) };
  } catch (error) {
    return { error: (error as Error).message };
  }
};
const fast = (value: unknown): { ok: string } | { error: string } => {
  try {
    return { ok: canonicalJson(value) };
  } catch (error) {
    return { error: (error as Error).message };
  }
};

// Keys that take every path: digits (array-index keys), __proto__, toJSON, non-ASCII and astral
// characters (UTF-16 order differs from code point order), the empty key.
const key = fc.oneof(
  fc.string(),
  fc.constantFrom('0', '1', '10', '9', '01', '-1', '1.5', '__proto__', 'toJSON', '', 'a', 'A', 'é'),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
);

describe('canonicalJson', () => {
  it('equals json-canonicalize on every JSON value, parsed or built', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(fast(value)).toEqual(reference(value));
        const parsed: unknown = JSON.parse(JSON.stringify(value));
        expect(fast(parsed)).toEqual(reference(parsed));
      }),
      { numRuns: 2000 },
    );
  });

  it('equals json-canonicalize on objects with awkward keys', () => {
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.jsonValue({ maxDepth: 1 }),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(key, tie('node'), { maxKeys: 6 }),
      ),
    }));
    fc.assert(
      fc.property(tree.node, (value) => {
        expect(fast(value)).toEqual(reference(value));
        // JSON.parse creates __proto__ as an own property, as data read back from jsonb would have.
        const parsed: unknown = JSON.parse(JSON.stringify(value));
        expect(fast(parsed)).toEqual(reference(parsed));
      }),
      { numRuns: 2000 },
    );
  });

  it('equals json-canonicalize on values JSON cannot hold', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBoxedValues: true,
          withMap: true,
          withSet: true,
          withDate: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
          withBigInt: true,
        }),
        (value) => {
          expect(fast(value)).toEqual(reference(value));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each<[string, unknown]>([
    ['undefined members', { a: undefined, b: [undefined, 1] }],
    ['non-finite numbers', { a: Number.NaN }],
    ['a toJSON member', { toJSON: 'x', b: 1, a: 2 }],
    ['a null toJSON member', { toJSON: null, b: 1, a: 2 }],
    ['a Date', { at: new Date(0) }],
    ['index-like keys', { 10: 'a', 9: 'b', x: 'c' }],
    ['negative zero', { z: -0 }],
    ['lone surrogates', { '\ud800': '\udc00' }],
    ['deep nesting', JSON.parse('['.repeat(400) + ']'.repeat(400)) as unknown],
  ])('equals json-canonicalize for %s', (_name, value) => {
    expect(fast(value)).toEqual(reference(value));
  });

  it('writes the RFC 8785 example (§3.2.3) sorted by UTF-16 code units', () => {
    const value = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    ) as unknown;
    expect(canonicalJson(value)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });
});
