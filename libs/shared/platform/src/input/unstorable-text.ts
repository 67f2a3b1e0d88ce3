/** Default limit of one string at the edge, in UTF-8 bytes: below PostgreSQL's B-tree entry limit (2704 bytes) with room for a few short columns beside it. */
export const DEFAULT_MAX_STRING_BYTES = 1024;

const MAX_DEPTH = 32;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

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
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxBytes) return `must be at most ${maxBytes} bytes of UTF-8; got ${bytes}`;
  }
  return undefined;
}

/**
 * The first string in a decoded request (message, query, params or body) that the database could
 * not store: NUL characters, lone surrogates, or over the length limit. Keys are checked as well
 * as values (maps and free-form objects carry data in keys). Binary values are left alone.
 */
export function findUnstorableText(
  value: unknown,
  maxBytes = DEFAULT_MAX_STRING_BYTES,
  path = '',
  depth = 0,
): InputProblem | undefined {
  if (typeof value === 'string') {
    const message = unstorableTextReason(value, maxBytes);
    return message ? { field: path || 'request', message } : undefined;
  }
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return undefined;
  if (depth > MAX_DEPTH)
    return {
      field: path || 'request',
      message: `must not be nested more than ${MAX_DEPTH} levels deep`,
    };
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorableText(item, maxBytes, `${path}[${index}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const field = path ? `${path}.${key}` : key;
    const keyProblem = unstorableTextReason(key, maxBytes);
    if (keyProblem) return { field: path || 'request', message: `keys ${keyProblem}` };
    const found = findUnstorableText(item, maxBytes, field, depth + 1);
    if (found) return found;
  }
  return undefined;
}
