import type { SealedFields } from './canonical-event';

/**
 * The sealer and the verifier must read an event byte-for-byte the same way, or an untouched
 * event would fail verification. So every column comes as text and is parsed here, independent of
 * any type parsers the application registered with `pg`: recorded_at keeps its microseconds in UTC
 * (a JavaScript Date would drop them), and data/metadata are parsed from jsonb's own output and
 * canonicalised by the hash (JCS), so jsonb's key reordering never matters. Select them `FROM events e`
 * and order by `e.` columns: a bare `ORDER BY position` would sort by the text alias.
 */
export const SEALED_COLUMNS = `e.position::text AS position, e.transaction_id::text AS transaction_id, e.stream_id,
  e.stream_version::text AS stream_version, e.event_type, e.schema_version::text AS schema_version,
  e.data::text AS data, e.metadata::text AS metadata,
  to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded_at`;

/** The names SEALED_COLUMNS gives its columns, in order. */
export const SEALED_COLUMN_NAMES = [
  'position',
  'transaction_id',
  'stream_id',
  'stream_version',
  'event_type',
  'schema_version',
  'data',
  'metadata',
  'recorded_at',
] as const;

export interface SealedRow {
  readonly position: string;
  readonly transaction_id: string;
  readonly stream_id: string;
  readonly stream_version: string;
  readonly event_type: string;
  readonly schema_version: string;
  readonly data: string;
  readonly metadata: string;
  readonly recorded_at: string;
}

export interface SealableEvent extends SealedFields {
  readonly transactionId: bigint;
}

export function toSealableEvent(row: SealedRow): SealableEvent {
  return {
    position: BigInt(row.position),
    transactionId: BigInt(row.transaction_id),
    streamId: row.stream_id,
    streamVersion: Number(row.stream_version),
    type: row.event_type,
    schemaVersion: Number(row.schema_version),
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as unknown,
    recordedAt: row.recorded_at,
  };
}

export function sealLockKey(schema: string): string {
  return `trainyard.event-store.seal:${schema}`;
}
