import { canonicalEventJson } from './canonical-event';
import { canonicalJsonText } from './canonical-json-text';
import { toSealableEvent } from './sealed-fields.query';
import type { SealedRow } from './sealed-fields.query';

/**
 * canonicalEventJson(toSealableEvent(row)), byte for byte, written from the row's text columns:
 * the sealer's path, which hashes every event once. PostgreSQL writes integers in the decimal form
 * BigInt and Number print them, and canonicalJsonText replaces JSON.parse and canonicalJson; a
 * column in any other form takes the reference path. The verifier keeps the reference path, so
 * any difference between the two would fail verification rather than go unseen.
 */
export function canonicalRowJson(row: SealedRow): string {
  if (
    !DECIMAL.test(row.position) ||
    !SAFE_INTEGER.test(row.stream_version) ||
    !SAFE_INTEGER.test(row.schema_version)
  )
    return canonicalEventJson(toSealableEvent(row));
  return (
    `{"data":${canonicalJsonText(row.data)},"metadata":${canonicalJsonText(row.metadata)},` +
    `"position":"${row.position}","recordedAt":${JSON.stringify(row.recorded_at)},` +
    `"schemaVersion":${row.schema_version},"streamId":${JSON.stringify(row.stream_id)},` +
    `"streamVersion":${row.stream_version},"type":${JSON.stringify(row.event_type)},"v":1}`
  );
}

/** An integer as BigInt prints it. */
const DECIMAL = /^(?:0|-?[1-9]\d*)$/;
/** An integer as Number prints it: at most 15 digits, so exact as a double. */
const SAFE_INTEGER = /^(?:0|-?[1-9]\d{0,14})$/;
