/** Default limit of one string at the edge, in UTF-8 bytes: below PostgreSQL's B-tree entry limit (2704 bytes) with room for a few short columns beside it. */
export const DEFAULT_MAX_STRING_BYTES = 1024;

const MAX_DEPTH = 32;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The text with every lone surrogate replaced by U+FFFD: what may be sent as a gRPC status message
 * (grpc-js percent-encodes it with encodeURI, which throws on a lone surrogate) or as UTF-8.
 */
export const wellFormedText = (text: string): string =>
  LONE_SURROGATE.test(text) ? text.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD') : text;

export interface InputProblem {
  /** Path of the offending value: `components[0].name`, keys as the input names them. */
  readonly field: string;
  readonly message: string;
}

/** Why PostgreSQL (or its indexes) could not store this text, if it could not. */
export function unstorableTextReason(
  text: string,
  maxBytes = DEFAULT_MAX_STRING_BYTES,
): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (it holds a lone surrogate)';
  // Cheap bound first: a UTF-16 code unit is at most 3 bytes of UTF-8.
  if (text.length * 3 > maxBytes) {
    const bytes = utf8Length(text);
    if (bytes > maxBytes) return `must be at most ${maxBytes} bytes of UTF-8; got ${bytes}`;
  }
  return undefined;
}

/** UTF-8 bytes of well-formed text (lone surrogates are refused before this is asked). */
function utf8Length(text: string): number {
  let bytes = text.length; // one per code unit, then the extra bytes of wider characters
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else if (unit >= 0xd800 && unit <= 0xdfff)
      bytes += 1; // a pair: 2 units, 4 bytes
    else bytes += 2;
  }
  return bytes;
}

/** At most this many problems are reported for one request: enough to fix it, bounded to send. */
export const MAX_INPUT_PROBLEMS = 20;

/**
 * Every string in a decoded request (message, query, params or body), up to `limit`, that the
 * database could not store: NUL characters, lone surrogates, or over the length limit. Keys are
 * checked as well as values (maps and free-form objects carry data in keys). Binary values are
 * left alone.
 */
export function findUnstorableTexts(
  value: unknown,
  maxBytes = DEFAULT_MAX_STRING_BYTES,
  limit = MAX_INPUT_PROBLEMS,
): InputProblem[] {
  const found: InputProblem[] = [];
  collect(value, maxBytes, limit, undefined, 0, found);
  return found;
}

/** The first such string, if any (findUnstorableTexts, limited to one). */
export function findUnstorableText(
  value: unknown,
  maxBytes = DEFAULT_MAX_STRING_BYTES,
): InputProblem | undefined {
  return findUnstorableTexts(value, maxBytes, 1)[0];
}

/**
 * Where a value sits, as a chain to the request's root: the path text is only built for a value
 * that is reported, not for each of the many that pass (the guard walks every request).
 */
interface PathStep {
  readonly parent: PathStep | undefined;
  readonly key: string | number;
}

function pathText(step: PathStep | undefined): string {
  if (!step) return 'request';
  const keys: (string | number)[] = [];
  for (let at: PathStep | undefined = step; at; at = at.parent) keys.push(at.key);
  let text = '';
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i]!;
    text += typeof key === 'number' ? `[${key}]` : text ? `.${key}` : key;
  }
  return text;
}

function collect(
  value: unknown,
  maxBytes: number,
  limit: number,
  path: PathStep | undefined,
  depth: number,
  found: InputProblem[],
): void {
  if (found.length >= limit) return;
  if (typeof value === 'string') {
    const message = unstorableTextReason(value, maxBytes);
    if (message) found.push({ field: pathText(path), message });
    return;
  }
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return;
  if (depth > MAX_DEPTH) {
    found.push({
      field: pathText(path),
      message: `must not be nested more than ${MAX_DEPTH} levels deep`,
    });
    return;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++)
      collect(value[index], maxBytes, limit, { parent: path, key: index }, depth + 1, found);
    return;
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (found.length >= limit) return;
    const keyProblem = unstorableTextReason(key, maxBytes);
    if (keyProblem) {
      // The key itself cannot be named (it is what is wrong): the object holding it is.
      found.push({ field: pathText(path), message: `keys ${keyProblem}` });
      continue;
    }
    collect(
      (value as Record<string, unknown>)[key],
      maxBytes,
      limit,
      { parent: path, key },
      depth + 1,
      found,
    );
  }
}
