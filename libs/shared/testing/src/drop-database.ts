import type { Client, Pool } from 'pg';
import { waitFor } from './wait-for';

/**
 * Drops a database a spec created, once its connections are gone. pg-pool's `end()` resolves
 * before its clients' sockets close: a `DROP … WITH (FORCE)` right away terminates a backend whose
 * idle client then emits an unhandled error and fails the suite. `admin` is connected elsewhere.
 */
export async function dropDatabaseOnceIdle(admin: Pool | Client, database: string): Promise<void> {
  await waitFor(
    async () =>
      (
        await admin.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
          [database],
        )
      ).rows[0]?.n === 0,
    { description: `the connections to ${database} closed` },
  );
  await admin.query(`DROP DATABASE IF EXISTS "${database.replace(/"/g, '""')}" WITH (FORCE)`);
}
