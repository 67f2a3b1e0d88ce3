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
  return Buffer.from(
    canonicalJson({
      v: ENCODING_VERSION,
      position: event.position.toString(),
      streamId: event.streamId,
      streamVersion: event.streamVersion,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      metadata: event.metadata,
      recordedAt: event.recordedAt,
    }),
    'utf8',
  );
}
