/**
 * What makes an HTTP task succeed (issue 12, item 2): its status (default any 2xx) and, when the
 * manifest says so, predicates on the JSON response, each addressed by a JSON pointer (RFC 6901):
 * `{ path: '/status', equals: 'ok' }`, `{ path: '/state', oneOf: ['done', 'skipped'] }`,
 * `{ path: '/id', exists: true }`. Pure: the adapter reads and parses the body.
 */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export type JsonExpectation =
  | { readonly path: string; readonly equals: JsonValue }
  | { readonly path: string; readonly oneOf: readonly JsonValue[] }
  | { readonly path: string; readonly exists: boolean };

export type HttpExpectation = {
  /** Statuses that count as success; absent: 200–299. */
  readonly statuses?: readonly number[];
  /** Every predicate must hold; the body must then be JSON. */
  readonly json?: readonly JsonExpectation[];
};

/** `/a/b~1c/0` → ['a', 'b/c', '0']; undefined when not a JSON pointer. */
export const parseJsonPointer = (pointer: string): string[] | undefined => {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  const tokens = pointer.slice(1).split('/');
  if (tokens.some((t) => /~(?![01])/.test(t))) return undefined;
  return tokens.map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
};

const MISSING = Symbol('missing');

/** The value at `pointer` in `document`, or MISSING. */
const at = (document: unknown, tokens: readonly string[]): unknown => {
  let current: unknown = document;
  for (const token of tokens) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(token)) return MISSING;
      const index = Number(token);
      if (index >= current.length) return MISSING;
      current = current[index];
    } else if (typeof current === 'object' && current !== null) {
      if (!Object.prototype.hasOwnProperty.call(current, token)) return MISSING;
      current = (current as Record<string, unknown>)[token];
    } else return MISSING;
  }
  return current;
};

/** Structural equality of JSON values (object key order does not matter). */
export const jsonEquals = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEquals(item, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.prototype.hasOwnProperty.call(b, k) &&
      jsonEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
};

const brief = (value: unknown): string => {
  if (value === MISSING) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

export const isStatusExpected = (status: number, expectation: HttpExpectation = {}): boolean =>
  expectation.statuses === undefined
    ? status >= 200 && status <= 299
    : expectation.statuses.includes(status);

export type ExpectationVerdict =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Checks the parsed JSON body against every predicate; the first that fails is named with the
 * value found (cut short). Call only when `expectation.json` is non-empty.
 */
export const checkJsonExpectations = (
  body: unknown,
  expectations: readonly JsonExpectation[],
): ExpectationVerdict => {
  for (const [i, e] of expectations.entries()) {
    const tokens = parseJsonPointer(e.path);
    if (tokens === undefined)
      return {
        ok: false,
        reason: `expect.json[${i}].path ${JSON.stringify(e.path)} is not a JSON pointer`,
      };
    const found = at(body, tokens);
    if ('exists' in e) {
      if ((found !== MISSING) !== e.exists)
        return {
          ok: false,
          reason: `expect.json[${i}]: ${e.path} ${e.exists ? 'is missing' : `exists (${brief(found)})`}`,
        };
    } else if ('equals' in e) {
      if (found === MISSING || !jsonEquals(found, e.equals))
        return {
          ok: false,
          reason: `expect.json[${i}]: ${e.path} is ${brief(found)}, expected ${brief(e.equals)}`,
        };
    } else if (found === MISSING || !e.oneOf.some((v) => jsonEquals(found, v)))
      return {
        ok: false,
        reason: `expect.json[${i}]: ${e.path} is ${brief(found)}, expected one of ${brief(e.oneOf)}`,
      };
  }
  return { ok: true };
};
