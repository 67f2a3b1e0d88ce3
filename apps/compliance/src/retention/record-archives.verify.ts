import type { Pool } from 'pg';
import { PRIVACY_REGISTER_STREAM, type RecordsArchived } from '@trainyard/compliance-domain';
import { assertSchemaName } from '@trainyard/event-store';
import { verifyRecordArchive, type RecordArchiveVerification } from '@trainyard/privacy';

export interface RecordArchivesVerification {
  readonly ok: boolean;
  readonly archives: readonly (RecordArchiveVerification & {
    readonly recordType: string;
    readonly archivedAt: string;
  })[];
  /** The first failure, named. */
  readonly firstFailure?: string;
}

/**
 * Verifies every archive file the log recorded (`RecordsArchived` on the privacy register, sealed
 * in the Merkle tree that `npm run audit:verify` checks) against the files in `dir`: a changed,
 * missing or truncated file, or an edited manifest, is named with the line and record id.
 */
export async function verifyRecordArchives(
  pool: Pool,
  schema: string,
  dir: string,
): Promise<RecordArchivesVerification> {
  const { rows } = await pool.query<{ data: RecordsArchived['data'] }>(
    `SELECT data FROM "${assertSchemaName(schema)}".events
      WHERE stream_id = $1 AND event_type = 'RecordsArchived' ORDER BY stream_version`,
    [PRIVACY_REGISTER_STREAM],
  );
  const archives = [];
  for (const { data } of rows) {
    const result = await verifyRecordArchive(dir, data);
    archives.push({ ...result, recordType: data.recordType, archivedAt: data.archivedAt });
  }
  const failed = archives.find((a) => !a.ok);
  return {
    ok: !failed,
    archives,
    ...(failed && !failed.ok ? { firstFailure: failed.reason } : {}),
  };
}
