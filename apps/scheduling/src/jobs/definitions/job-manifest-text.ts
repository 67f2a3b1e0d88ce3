import { ValidationError, findUnstorableText } from '@trainyard/kernel';
import { LineCounter, parseDocument } from 'yaml';

/** A manifest is a document a team keeps in git: far below this, and nothing larger is parsed. */
export const MAX_MANIFEST_BYTES = 256 * 1024;
/** Aliases expanded at most this many times (a "billion laughs" document stays small). */
const MAX_ALIAS_COUNT = 100;
/** Any one string inside a manifest; the validator bounds the ones it knows more tightly. */
const MAX_MANIFEST_STRING_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a manifest (YAML or JSON, as bytes from gRPC or a string from REST) → the parsed
 * value for `validateJobManifest`, or a ValidationError on `field`: not UTF-8, too large, not YAML
 * or JSON (with the line and column), or holding a string PostgreSQL cannot store (NUL, a lone
 * surrogate) named by its path in the manifest. Never throws anything else.
 */
export const parseManifestText = (input: Uint8Array | string, field = 'manifest'): unknown => {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size === 0)
    throw new ValidationError(
      field,
      `${field} is required: the text of a job manifest, YAML or JSON.`,
    );
  if (size > MAX_MANIFEST_BYTES)
    throw new ValidationError(
      field,
      `${field} must be at most ${MAX_MANIFEST_BYTES} bytes of UTF-8; got ${size}.`,
    );
  let text: string;
  if (typeof input === 'string') text = input;
  else
    try {
      text = utf8.decode(input);
    } catch {
      throw new ValidationError(field, `${field} must be UTF-8 text (YAML or JSON).`);
    }
  const counter = new LineCounter();
  // JSON is YAML 1.2, so one parser reads both and gives positions for both.
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const [error] = doc.errors;
  if (error !== undefined) {
    const { line, col } = counter.linePos(error.pos[0]);
    const what = (error.message.split('\n')[0] ?? error.message).replace(/[.:]?\s*$/, '');
    throw new ValidationError(
      field,
      `${field} is not valid YAML or JSON at line ${line}, column ${col}: ${what}.`,
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (cause) {
    const what = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new ValidationError(field, `${field} cannot be read: ${what}.`);
  }
  const unstorable = findUnstorableText(value, MAX_MANIFEST_STRING_BYTES);
  if (unstorable)
    throw new ValidationError(
      unstorable.field === 'request' ? field : unstorable.field,
      `${unstorable.field === 'request' ? field : unstorable.field} ${unstorable.message}.`,
    );
  return value;
};
