import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` in one transaction on a pooled connection: commits, or rolls back and rethrows. A
 * statement that failed inside `work` but was swallowed makes PostgreSQL answer COMMIT with a
 * rollback; that is an error here too. A connection whose ROLLBACK failed is discarded.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (tx: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    const commit = await client.query('COMMIT');
    if (commit.command !== 'COMMIT')
      throw new Error('the transaction was rolled back: a statement in it failed');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw error;
  } finally {
    client.release(broken);
  }
}
