import type { Pool } from 'pg';

/**
 * For tamper-evidence tests: what an attacker with superuser rights could do to an event store —
 * switch its guards off, then rewrite history in one transaction.
 */
export async function tamperAsSuperuser(
  pool: Pool,
  schema: string,
  sql: string,
  values: unknown[] = [],
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL search_path = "${schema}"`);
    await client.query('ALTER TABLE events DISABLE TRIGGER ALL');
    await client.query('ALTER TABLE event_tree_batches DISABLE TRIGGER ALL');
    await client.query(sql, values);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
