import fc from 'fast-check';
import {
  DEFAULT_MAX_STRING_BYTES,
  findUnstorableText,
  findUnstorableTexts,
  unstorableTextReason,
  wellFormedText,
} from './unstorable-text';

describe('text the database cannot store', () => {
  it('refuses NUL, lone surrogates and text over the byte limit; accepts the rest', () => {
    expect(unstorableTextReason('a\u0000b')).toMatch(/NUL/);
    expect(unstorableTextReason('\uD800')).toMatch(/lone surrogate/);
    expect(unstorableTextReason('x\uDC00')).toMatch(/lone surrogate/);
    expect(unstorableTextReason('é'.repeat(DEFAULT_MAX_STRING_BYTES / 2 + 1))).toBe(
      `must be at most ${DEFAULT_MAX_STRING_BYTES} bytes of UTF-8; got ${DEFAULT_MAX_STRING_BYTES + 2}`,
    );
    expect(unstorableTextReason('é'.repeat(DEFAULT_MAX_STRING_BYTES / 2))).toBeUndefined();
    expect(unstorableTextReason('😀 emoji and ünïcödé')).toBeUndefined();
    expect(unstorableTextReason('abc', 2)).toMatch(/at most 2 bytes/);
  });

  it('accepts every well-formed string without NUL within the limit (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (text) => {
        fc.pre(!text.includes('\u0000'));
        expect(unstorableTextReason(text)).toBeUndefined();
      }),
    );
  });

  it('counts UTF-8 bytes as Node does, for every well-formed string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        fc.pre(!text.includes('\u0000') && text.length > 0);
        const bytes = Buffer.byteLength(text, 'utf8');
        expect(unstorableTextReason(text, bytes)).toBeUndefined();
        expect(unstorableTextReason(text, bytes - 1)).toBe(
          `must be at most ${bytes - 1} bytes of UTF-8; got ${bytes}`,
        );
      }),
    );
  });

  it('names the path of the first offending value, through nested messages, lists and keys', () => {
    expect(
      findUnstorableText({ title: 'ok', components: [{ name: 'ok' }, { name: 'a\u0000' }] }),
    ).toEqual({
      field: 'components[1].name',
      message: 'must not contain the NUL character (U+0000)',
    });
    expect(findUnstorableText({ labels: { 'k\u0000': 'v' } })).toMatchObject({
      field: 'labels',
      message: expect.stringMatching(/^keys /),
    });
    expect(findUnstorableText('\u0000')).toMatchObject({ field: 'request' });
    expect(
      findUnstorableText({ data: Buffer.from([0]), n: 0, ok: true, none: null }),
    ).toBeUndefined();
  });

  it('refuses input nested deeper than any message of ours', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { a: deep };
    expect(findUnstorableText(deep)?.message).toMatch(/nested more than/);
  });

  it('finds every unstorable string of a request, up to a limit', () => {
    const request = {
      title: 'a\u0000',
      components: [{ name: 'ok' }, { name: '\uD800' }],
      labels: { 'k\u0000': 'v' },
      note: 'fine',
    };
    expect(findUnstorableTexts(request).map((p) => p.field)).toEqual([
      'title',
      'components[1].name',
      'labels',
    ]);
    expect(findUnstorableTexts(request, undefined, 2)).toHaveLength(2);
    expect(findUnstorableTexts({ a: 'ok' })).toEqual([]);
  });

  // A CEL parse error quotes half of an emoji ("found \ud83d"): grpc-js threw sending such a
  // status message (encodeURI), taking the call down instead of answering INVALID_ARGUMENT.
  it('wellFormedText replaces lone surrogates and keeps pairs, so encodeURI never throws', () => {
    expect(wellFormedText('found \ud83d but expecting')).toBe('found \uFFFD but expecting');
    expect(wellFormedText('\ude00x\ud83d\ude00\ud83d')).toBe('\uFFFDx\ud83d\ude00\uFFFD');
    expect(wellFormedText('plain')).toBe('plain');
    fc.assert(
      fc.property(
        fc
          .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 20 })
          .map((units) => String.fromCharCode(...units)),
        (text) => {
          expect(() => encodeURI(wellFormedText(text))).not.toThrow();
        },
      ),
    );
  });
});
