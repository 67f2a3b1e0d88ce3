import { Readable } from 'node:stream';
import { json } from 'body-parser';
import { status } from '@grpc/grpc-js';
import { jsonSyntaxProblem, malformedJsonOf } from './malformed-json';

/** What the platform's JSON body parser (express's body-parser) throws for this body. */
const parserErrorFor = (body: string): Promise<unknown> =>
  new Promise((resolve) => {
    const request = Object.assign(Readable.from([Buffer.from(body)]), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      },
    });
    json()(request as never, {} as never, (error?: unknown) => resolve(error));
  });

describe('a JSON body that does not parse', () => {
  it.each([
    ['{"a":', 'unexpected end of input at position 5 (line 1, column 6)'],
    ['{a', "expected property name or '}' at position 1 (line 1, column 2)"],
    ['[1,2', "expected ',' or ']' after array element at position 4 (line 1, column 5)"],
    ['{\n "a": 1,\n}', 'at position 11 (line 3, column 1)'],
    ['{"a":1}x', 'after the JSON value at position 7 (line 1, column 8)'],
    ['nope', "unexpected token 'n' at position 0 (line 1, column 1)"],
  ])('%j is a 400 saying what is wrong and where', async (body, where) => {
    const mapped = malformedJsonOf(await parserErrorFor(body));
    expect(mapped).toMatchObject({
      http: 400,
      grpc: status.INVALID_ARGUMENT,
      reason: 'MALFORMED_JSON',
      problem: { slug: 'malformed-json', title: 'Malformed JSON body' },
    });
    expect(mapped?.message).toMatch(/^The request body is not valid JSON: /);
    expect(mapped?.message).toContain(`${where}.`);
  });

  it('reads the messages of newer V8 too (line and column in the message)', () => {
    expect(
      jsonSyntaxProblem(
        "Expected property name or '}' in JSON at position 1 (line 1 column 2)",
        '{a',
      ),
    ).toEqual({ reason: "expected property name or '}'", position: 1 });
  });

  it('never echoes the body, and leaves other errors alone', async () => {
    const mapped = malformedJsonOf(await parserErrorFor('"secret-token-value"'));
    expect(mapped?.message).not.toContain('secret-token-value');
    expect(malformedJsonOf(new SyntaxError('Unexpected end of JSON input'))).toBeUndefined();
    expect(malformedJsonOf({ type: 'entity.too.large', message: 'too large' })).toBeUndefined();
    expect(malformedJsonOf(new Error('x'))).toBeUndefined();
  });
});
