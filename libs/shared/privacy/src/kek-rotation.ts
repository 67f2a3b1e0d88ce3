import type { Pool } from 'pg';
import { assertSchemaName } from '@trainyard/event-store';
import { unwrapDataKey, wrapDataKey, type KeyEncryptionKey } from './envelope-crypto';

export interface KekRotationResult {
  /** Data keys now wrapped by the new KEK. */
  readonly rewrapped: number;
  /** Erased subjects (tombstones, no key): left as they are. */
  readonly tombstones: number;
  /** Keys wrapped by neither KEK (another environment's): left as they are, named by kid. */
  readonly otherKids: Readonly<Record<string, number>>;
}

/**
 * KEK rotation for the per-subject data keys (docs/adr/0013): every data key wrapped by `from` is
 * unwrapped and wrapped again by `to`, in batches, one transaction each (rows locked, so a seal or
 * an erasure running meanwhile waits for its row and then sees the new wrapping or wins first).
 * Only data keys pass through memory: no envelope, no payload and no key material is decrypted
 * into logs or results. Re-running after an interruption continues (rows already under `to` are
 * skipped). Afterwards the old rows' versions are vacuumed; destroy the old KEK to make copies in
 * WAL and backups unreadable. Services must run with `to` once the first batch committed (a store
 * with `from` refuses keys wrapped by another kid, loudly).
 */
export async function rotateKeyEncryptionKey(
  pool: Pool,
  schema: string,
  from: KeyEncryptionKey,
  to: KeyEncryptionKey,
  batchSize = 500,
): Promise<KekRotationResult> {
  const table = `"${assertSchemaName(schema)}".subject_keys`;
  if (from.kid === to.kid)
    throw new Error(`the new KEK needs its own kid (both are ${from.kid}): wrapped keys bind it`);
  if (from.key.equals(to.key)) throw new Error('the new KEK is the old key');
  let rewrapped = 0;
  for (;;) {
    const client = await pool.connect();
    let done = 0;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ subject_id: string; wrapped_key: Buffer }>(
        `SELECT subject_id, wrapped_key FROM ${table}
          WHERE kid = $1 AND wrapped_key IS NOT NULL
          ORDER BY subject_id LIMIT $2 FOR UPDATE`,
        [from.kid, batchSize],
      );
      const subjects: string[] = [];
      const wrapped: Buffer[] = [];
      for (const row of rows) {
        // Throws PersonalDataIntegrityError (naming the subject, never the key) when the row does
        // not open under `from`: the batch rolls back and nothing is half-rotated.
        const dek = unwrapDataKey(from, row.subject_id, row.wrapped_key);
        subjects.push(row.subject_id);
        wrapped.push(wrapDataKey(to, row.subject_id, dek));
        dek.fill(0);
      }
      if (subjects.length > 0)
        await client.query(
          `UPDATE ${table} AS k SET kid = $1, wrapped_key = n.wrapped
             FROM unnest($2::text[], $3::bytea[]) AS n(subject_id, wrapped)
            WHERE k.subject_id = n.subject_id AND k.kid = $4`,
          [to.kid, subjects, wrapped, from.kid],
        );
      await client.query('COMMIT');
      done = subjects.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    rewrapped += done;
    if (done < batchSize) break;
  }
  // Old row versions still hold keys wrapped by `from` until vacuumed.
  await pool.query(`VACUUM ${table}`).catch(() => undefined);
  const { rows } = await pool.query<{ kid: string; erased: boolean; n: number }>(
    `SELECT kid, wrapped_key IS NULL AS erased, count(*)::int AS n FROM ${table}
      WHERE kid <> $1 OR wrapped_key IS NULL GROUP BY 1, 2`,
    [to.kid],
  );
  const otherKids: Record<string, number> = {};
  let tombstones = 0;
  for (const row of rows)
    if (row.erased) tombstones += row.n;
    else otherKids[row.kid] = (otherKids[row.kid] ?? 0) + row.n;
  return { rewrapped, tombstones, otherKids };
}
