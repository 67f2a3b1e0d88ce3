import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { Client } from 'pg';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/trainyard';

/**
 * Makes sure the database named by `databaseUrl` exists, creating it when missing, and starts the
 * machine's PostgreSQL cluster (pg_ctlcluster) when it is installed locally but not running.
 */
export async function ensureDatabase(
  databaseUrl: string,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.slice(1));
  if (!database) throw new Error(`DATABASE_URL names no database: ${redact(databaseUrl)}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  let client = await connect(admin.toString());
  if (!client && isLocal(url.hostname) && startLocalCluster(log)) {
    for (let i = 0; i < 30 && !client; i++) {
      await new Promise((r) => setTimeout(r, 500));
      client = await connect(admin.toString());
    }
  }
  if (!client) throw new Error(`PostgreSQL is not reachable at ${redact(databaseUrl)}`);
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      database,
    ]);
    if (!rowCount) {
      await client
        .query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`)
        .catch((error: { code?: string }) => {
          if (error.code !== '42P04') throw error; // created concurrently
        });
      log(`created database ${database}`);
    }
  } finally {
    await client.end();
  }
}

async function connect(connectionString: string): Promise<Client | undefined> {
  const client = new Client({ connectionString, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return client;
  } catch {
    await client.end().catch(() => undefined);
    return undefined;
  }
}

function isLocal(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '';
}

function startLocalCluster(log: (line: string) => void): boolean {
  if (!existsSync('/etc/postgresql')) return false;
  const versions = readdirSync('/etc/postgresql');
  for (const version of versions) {
    log(`starting local PostgreSQL ${version}/main`);
    const result = spawnSync(
      'pg_ctlcluster',
      ['--skip-systemctl-redirect', version, 'main', 'start'],
      { stdio: 'inherit' },
    );
    if (result.status === 0) return true;
  }
  return false;
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
