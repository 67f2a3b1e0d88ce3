import fc from 'fast-check';
import { canonicalJson } from './canonical-json';
import { canonicalJsonText } from './canonical-json-text';

// The sealer hashes canonicalJsonText of jsonb's output; the verifier canonicalJson of the parsed
// value. A single differing byte would make an untouched event fail verification.
const outcome = (f: () => string): { ok: string } | { error: string } => {
  try {
    return { ok: f() };
  } catch (error) {
    return { error: (error as Error).message };
  }
};
const expectSameAsReference = (text: string): void => {
  expect(outcome(() => canonicalJsonText(text))).toEqual(
    outcome(() => canonicalJson(JSON.parse(text))),
  );
};

/** JSON text laid out as jsonb prints it: ', ' and ': ', keys by length, then bytewise. */
function jsonbText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const keys = Object.keys(value).sort((a, b) => {
    const [x, y] = [Buffer.from(a), Buffer.from(b)];
    return x.length - y.length || Buffer.compare(x, y);
  });
  const members = keys.map(
    (key) => `${JSON.stringify(key)}: ${jsonbText((value as Record<string, unknown>)[key])}`,
  );
  return `{${members.join(', ')}}`;
}

const key = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '0',
    '1',
    '10',
    '9',
    '-1',
    '__proto__',
    'toJSON',
    '',
    'a',
    'a ',
    'a!',
    'é',
    '\u{1f600}',
  ),
  fc.string({ unit: 'binary' }),
);
const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(0, 1e21, 1e-7, 123456789012345680000, 0.1, 5e-324),
);
const tree = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string(), fc.string({ unit: 'binary' }), number, fc.boolean(), fc.constant(null)),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(key, tie('node'), { maxKeys: 6 }),
  ),
}));

describe('canonicalJsonText', () => {
  it('equals canonicalJson of the parsed text, in jsonb layout and compact', () => {
    fc.assert(
      fc.property(tree.node, (value) => {
        expectSameAsReference(jsonbText(value));
        expectSameAsReference(JSON.stringify(value));
        expectSameAsReference(JSON.stringify(value, null, 2));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    // numbers jsonb may print (numeric keeps trailing zeros and never uses an exponent) and ones it may not
    ['{"a": 1.50, "b": 100000000000000000000000, "c": 0.0000001, "d": -0}'],
    ['[1E2, 1e+2, 1e-2, 12345678901234567890, 1.0000000000000001, 1e400, -1e400]'],
    ['[01]'],
    ['[1.]'],
    ['[+1]'],
    ['[.5]'],
    ['[--1]'],
    // keys: duplicates (JSON.parse keeps the last), array-index keys, __proto__, a prefix of another
    ['{"a": 1, "a": 2}'],
    ['{"b": 1, "a": {"x": 1, "x": [2]}}'],
    ['{"10": 1, "9": 2, "a": 3}'],
    ['{"__proto__": {"x": 1}, "y": 2}'],
    ['{"a ": 1, "a": 2, "a!": 3, "": 4}'],
    // escapes and characters JSON.stringify writes differently
    ['{"a\\nb": "\\u0041\\/\\"", "\\u00e9": "\\ud83d\\ude00"}'],
    ['["\\ud800", "\u{1f600}", "é", "\u2028"]'],
    ['"plain"'],
    ['  {"spaced" :  [ 1 , 2 ] }  '],
    ['{"deep": ' + '['.repeat(300) + ']'.repeat(300) + '}'],
    // not JSON: the same error as JSON.parse
    ['{"a": 1'],
    ['{"a" 1}'],
    ['{"a": 1,}'],
    ['[1, 2] x'],
    ['tru'],
    ['nulll'],
    ['{a: 1}'],
    [''],
  ])('equals canonicalJson of the parsed text for %s', (text) => {
    expect(outcome(() => canonicalJsonText(text))).toEqual(
      outcome(() => canonicalJson(JSON.parse(text))),
    );
  });

  it('does not parse jsonb output of plain events', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const text = jsonbText({
        workloadId: 'w-1',
        tags: ['payments', 'infrastructure'],
        window: { start: '2025-03-01T22:00:00.000Z', end: '2025-03-02T04:00:00.000Z' },
        estimateHours: 12.5,
        n: 7,
        done: false,
        note: null,
      });
      expect(canonicalJsonText(text)).toBe(
        '{"done":false,"estimateHours":12.5,"n":7,"note":null,"tags":["payments","infrastructure"],' +
          '"window":{"end":"2025-03-02T04:00:00.000Z","start":"2025-03-01T22:00:00.000Z"},"workloadId":"w-1"}',
      );
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });
});
