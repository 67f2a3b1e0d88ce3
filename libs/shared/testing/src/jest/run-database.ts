// The test run's own database: `trainyard_test_p<jest pid>` on the local server, created by global
// setup and dropped by global teardown (or by a later run, once that jest is gone). Runs from
// different checkouts (a developer's, a helper's, CI's) never share a database, so one run's
// long transactions cannot hold back the commit frontier (ADR 0003) that another run's
// subscriptions wait on.
import { Client } from 'pg';

const RUN_DATABASE = /^trainyard_test_p(\d+)$/;

export const DEFAULT_TEST_SERVER = 'postgres://postgres@127.0.0.1:5432';

/** The database URL of the run whose jest has process id `pid`. */
export function runDatabaseUrl(pid: number, server = DEFAULT_TEST_SERVER): string {
  return `${server}/trainyard_test_p${pid}`;
}

/** The jest process id a run database belongs to; undefined for any other database. */
export function runDatabaseOwner(name: string): number | undefined {
  const pid = RUN_DATABASE.exec(name)?.[1];
  return pid === undefined ? undefined : Number(pid);
}

/** The run databases among `names` whose jest is no longer alive. */
export function deadRunDatabases(
  names: readonly string[],
  alive: (pid: number) => boolean,
): string[] {
  return names.filter((name) => {
    const owner = runDatabaseOwner(name);
    return owner !== undefined && !alive(owner);
  });
}

/** Drops the database of `databaseUrl`, closing its connections first; absent is fine. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  await withAdmin(url.toString(), (admin) => dropNamed(admin, name));
}

/**
 * Drops the run databases on `server` whose jest is gone (killed before its teardown); the names
 * it dropped. A server that does not answer is left alone (containers mode brings its own).
 */
export async function dropDeadRunDatabases(
  server: string,
  alive: (pid: number) => boolean,
): Promise<string[]> {
  return withAdmin(`${server}/postgres`, async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'trainyard\\_test\\_p%'`,
    );
    const dead = deadRunDatabases(
      rows.map((r) => r.datname),
      alive,
    );
    for (const name of dead) await dropNamed(admin, name);
    return dead;
  }).catch(() => []);
}

const dropNamed = (admin: Client, name: string) =>
  admin.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);

async function withAdmin<T>(url: string, use: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.end();
  }
}
