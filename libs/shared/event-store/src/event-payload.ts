import { ValidationError, findUnstorableText, unstorableTextReason } from '@trainyard/kernel';
import type { EventMetadata, NewEvent } from './event-store.types';

/** An event as the append statements send it: data and metadata as JSON text. */
export interface EventPayload {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: string;
  readonly metadata: string;
}

/**
 * Longest stream id or event type, in UTF-8 bytes: an entry of the (stream_id, stream_version)
 * index must stay under PostgreSQL's B-tree limit (2704 bytes).
 */
export const MAX_NAME_BYTES = 2048;

/**
 * A JSON escape that jsonb refuses: `\u0000`, or a lone surrogate, which JSON.stringify writes as
 * an escape (it writes paired surrogates as they are), after an even number of backslashes (an odd
 * number makes it the text `\u…`, not an escape).
 */
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f])/;

/**
 * Checks one event of an append and writes its JSON, so the database never refuses a value it was
 * sent: what PostgreSQL cannot store (a NUL character or a lone surrogate in the data, the metadata,
 * the type or the stream id; a name over MAX_NAME_BYTES) is a ValidationError naming the field
 * (`events[2].data.note`), thrown before anything is written. `at` is the event's own path.
 */
export function toEventPayload(event: NewEvent, at: string): EventPayload {
  assertStorableName(event.type, `${at}.type`);
  if (event.data === undefined)
    throw new ValidationError(`${at}.data`, `${at} (${event.type}) has no data.`);
  const metadata = event.metadata as EventMetadata | undefined;
  if (!metadata?.eventId || !metadata.correlationId || !metadata.actor)
    throw new ValidationError(
      `${at}.metadata`,
      `${at} (${event.type}) needs metadata with eventId, correlationId and actor.`,
    );
  const schemaVersion = event.schemaVersion ?? 1;
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > 2 ** 31 - 1)
    throw new ValidationError(
      `${at}.schemaVersion`,
      `${at}.schemaVersion must be a positive 32-bit integer; got ${schemaVersion}.`,
    );
  return {
    type: event.type,
    schemaVersion,
    data: storableJson(event.data, `${at}.data`),
    metadata: storableJson(metadata, `${at}.metadata`),
  };
}

/** A stream id or event type PostgreSQL can store and index, or a ValidationError naming `field`. */
export function assertStorableName(name: string, field: string): void {
  if (typeof name !== 'string' || name.length === 0)
    throw new ValidationError(field, `${field} must not be empty.`);
  const problem = unstorableTextReason(name, MAX_NAME_BYTES);
  if (problem) throw new ValidationError(field, `${field} ${problem}.`);
}

function storableJson(value: unknown, field: string): string {
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) throw new ValidationError(field, `${field} must be a JSON value.`);
  // JSON.stringify writes \u only for control characters, lone surrogates and a backslash's u.
  if (!json.includes('\\u') || !UNSTORABLE_ESCAPE.test(json)) return json;
  // Rare: walk the value only now, to name the string that holds it.
  const found = findUnstorableText(value, Number.POSITIVE_INFINITY);
  const path = !found || found.field === 'request' ? field : joinPath(field, found.field);
  throw new ValidationError(
    path,
    `${path} ${found?.message ?? 'must not contain the NUL character (U+0000) or a lone surrogate'}: PostgreSQL's jsonb cannot store it.`,
  );
}

const joinPath = (parent: string, child: string): string =>
  child.startsWith('[') ? `${parent}${child}` : `${parent}.${child}`;
