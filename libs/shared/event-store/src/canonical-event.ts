import { canonicalJson } from './canonical-json';

/** The fields of a stored event that its Merkle leaf covers, exactly as read back from the table. */
export interface SealedFields {
  readonly position: bigint;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: unknown;
  /** UTC, microsecond precision as stored: `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  readonly recordedAt: string;
}

const ENCODING_VERSION = 1;

/**
 * RFC 8785 (JSON Canonicalization Scheme) of one event, as UTF-8. Positions are written as decimal
 * strings so that no 64-bit value is rounded through a JavaScript number; `v` names this layout so
 * a future encoding can be told apart.
 */
export function canonicalEventBytes(event: SealedFields): Buffer {
  return Buffer.from(canonicalEventJson(event), 'utf8');
}

/**
 * canonicalEventBytes as a string. The envelope's members are written in their JCS order (UTF-16
 * order of the fixed key names) around canonicalJson of data and metadata: JCS serialises every
 * member on its own, so this is byte-for-byte canonicalJson of the whole envelope, without sorting
 * and copying it for every event. Fields of the wrong type at run time (an undefined member, which
 * JCS drops; a non-finite version, which it refuses) take the whole-envelope path and its rules.
 */
export function canonicalEventJson(event: SealedFields): string {
  const { data, metadata, streamVersion, schemaVersion } = event;
  if (
    data === undefined ||
    metadata === undefined ||
    typeof event.position !== 'bigint' ||
    typeof event.streamId !== 'string' ||
    typeof event.type !== 'string' ||
    typeof event.recordedAt !== 'string' ||
    !Number.isFinite(streamVersion) ||
    !Number.isFinite(schemaVersion)
  )
    return canonicalJson(envelope(event));
  return (
    `{"data":${canonicalJson(data)},"metadata":${canonicalJson(metadata)},` +
    `"position":"${event.position}","recordedAt":${JSON.stringify(event.recordedAt)},` +
    `"schemaVersion":${JSON.stringify(schemaVersion)},"streamId":${JSON.stringify(event.streamId)},` +
    `"streamVersion":${JSON.stringify(streamVersion)},"type":${JSON.stringify(event.type)},` +
    `"v":${ENCODING_VERSION}}`
  );
}

function envelope(event: SealedFields): Record<string, unknown> {
  return {
    v: ENCODING_VERSION,
    position: event.position.toString(),
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt,
  };
}
