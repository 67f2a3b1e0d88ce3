import type { SealedFields } from './canonical-event';

/**
 * The sealer and the verifier must read an event byte-for-byte the same way, or an untouched
 * event would fail verification. So every column comes as text and is parsed here, independent of
 * any type parsers the application registered with `pg`: recorded_at keeps its microseconds in UTC
 * (a JavaScript Date would drop them), and data/metadata are parsed from jsonb's own output and
 * canonicalised by the hash (JCS), so jsonb's key reordering never matters. Select them `FROM events e`
 * and order by `e.` columns: a bare `ORDER BY position` would sort by the text alias.
 */
const SEALED_COLUMN_LIST = [
  ['e.position::text', 'position'],
  ['e.transaction_id::text', 'transaction_id'],
  ['e.stream_id', 'stream_id'],
  ['e.stream_version::text', 'stream_version'],
  ['e.event_type', 'event_type'],
  ['e.schema_version::text', 'schema_version'],
  ['e.data::text', 'data'],
  ['e.metadata::text', 'metadata'],
  [`to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, 'recorded_at'],
] as const;

/** The event columns as sealer and verifier read them (above), as a select list. */
export const SEALED_COLUMNS = SEALED_COLUMN_LIST.map(
  ([expression, name]) => `${expression} AS ${name}`,
).join(', ');

/** The names SEALED_COLUMNS gives its columns, in order. */
export const SEALED_COLUMN_NAMES = SEALED_COLUMN_LIST.map(([, name]) => name);

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
