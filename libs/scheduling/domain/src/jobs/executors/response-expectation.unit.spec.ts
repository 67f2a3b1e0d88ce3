import {
  checkJsonExpectations,
  isStatusExpected,
  jsonEquals,
  parseJsonPointer,
} from './response-expectation';

describe('status expectations', () => {
  it('given no statuses, then 2xx succeed and the rest fail', () => {
    expect(isStatusExpected(200)).toBe(true);
    expect(isStatusExpected(299)).toBe(true);
    expect(isStatusExpected(302)).toBe(false);
    expect(isStatusExpected(500)).toBe(false);
  });
  it('given explicit statuses, then only those succeed', () => {
    expect(isStatusExpected(202, { statuses: [202, 409] })).toBe(true);
    expect(isStatusExpected(409, { statuses: [202, 409] })).toBe(true);
    expect(isStatusExpected(200, { statuses: [202, 409] })).toBe(false);
  });
});

describe('JSON pointers (RFC 6901)', () => {
  it('parses escapes and refuses relative pointers', () => {
    expect(parseJsonPointer('')).toEqual([]);
    expect(parseJsonPointer('/a~1b/~0c/0')).toEqual(['a/b', '~c', '0']);
    expect(parseJsonPointer('status')).toBeUndefined();
    expect(parseJsonPointer('/bad~2')).toBeUndefined();
  });
});

describe('JSON payload predicates', () => {
  const body = { status: 'ok', counts: { done: 3 }, items: [{ id: 'a' }], 'a/b': null };

  it('given matching predicates, then the response is accepted', () => {
    expect(
      checkJsonExpectations(body, [
        { path: '/status', equals: 'ok' },
        { path: '/counts', equals: { done: 3 } },
        { path: '/items/0/id', oneOf: ['a', 'b'] },
        { path: '/a~1b', exists: true },
        { path: '/error', exists: false },
      ]),
    ).toEqual({ ok: true });
  });

  it('given a wrong value, then the predicate is named with the value found', () => {
    expect(checkJsonExpectations(body, [{ path: '/status', equals: 'failed' }])).toEqual({
      ok: false,
      reason: 'expect.json[0]: /status is "ok", expected "failed"',
    });
  });

  it('given a missing path, then equals, oneOf and exists:true fail', () => {
    expect(checkJsonExpectations(body, [{ path: '/nope', equals: null }]).ok).toBe(false);
    expect(checkJsonExpectations(body, [{ path: '/items/1', oneOf: [null] }]).ok).toBe(false);
    expect(checkJsonExpectations(body, [{ path: '/items/01', exists: true }]).ok).toBe(false);
    expect(checkJsonExpectations('text', [{ path: '/x', exists: true }]).ok).toBe(false);
  });

  it('given exists:false on a present value, then it fails naming the value', () => {
    const verdict = checkJsonExpectations(body, [
      { path: '/status', equals: 'ok' },
      { path: '/counts/done', exists: false },
    ]);
    expect(verdict).toEqual({ ok: false, reason: 'expect.json[1]: /counts/done exists (3)' });
  });

  it('compares JSON structurally, ignoring key order', () => {
    expect(jsonEquals({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEquals({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEquals([1], { 0: 1 })).toBe(false);
    expect(jsonEquals(null, {})).toBe(false);
  });
});
