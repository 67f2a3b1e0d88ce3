import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool, PoolClient } from 'pg';
import type { RunnerOption } from 'node-pg-migrate';
import { assertSchemaName, quoteIdent } from './schema-name';

/**
 * One owner's ordered migrations: a directory of modules named `NNNN_<owner>-<what>.ts` (`.js` once
 * built), each exporting `up(pgm)` (node-pg-migrate's MigrationBuilder). A shipped file is never
 * edited; a change is a new file with the next number.
 */
export interface MigrationSet {
  /** Who owns the tables, e.g. `event-store`; also the middle part of every file name. */
  readonly owner: string;
  readonly dir: string;
}

export interface AppliedMigrations {
  readonly owner: string;
  /** Migration names applied by this call, in order; empty when the owner was up to date. */
  readonly applied: readonly string[];
}

/** Every schema's version table: one row per applied migration, of every owner. */
export const MIGRATIONS_TABLE = 'pgmigrations';

const MIGRATION_FILE = /^\d{4}_[a-z0-9-]+\.(ts|js)$/;

/**
 * Applies the pending migrations of each set, in order, to `schema` (created if needed). Safe when
 * several instances start at once: they queue on a per-schema advisory lock held for the whole
 * run, so each migration is applied once. Each set's pending migrations run in one transaction.
 */
export async function migrateSchema(
  pool: Pool,
  schema: string,
  sets: readonly MigrationSet[],
): Promise<AppliedMigrations[]> {
  assertSchemaName(schema);
  const files = await Promise.all(sets.map((set) => migrationNames(set)));
  assertUniqueNames(files.flat());
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockKey(schema)]);
    try {
      await ensureVersionTable(client, schema);
      const applied = await appliedNames(client, schema);
      const report: AppliedMigrations[] = [];
      for (const [index, set] of sets.entries()) {
        const names = files[index] ?? [];
        if (pendingMigrations(names, applied).length === 0) {
          report.push({ owner: set.owner, applied: [] });
          continue;
        }
        // Loaded only when there is work: most starts find the schema up to date.
        const { runner } = await import('node-pg-migrate');
        const run = await runner(runnerOptions(client, schema, set));
        report.push({ owner: set.owner, applied: run.map((migration) => migration.name) });
      }
      return report;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey(schema)]);
    }
  } finally {
    // node-pg-migrate sets search_path to the schema on this connection; the pool must not keep it.
    await client.query('RESET search_path').then(
      () => client.release(),
      (error: Error) => client.release(error),
    );
  }
}

/**
 * The names of `available` (in order) not yet in `applied`. Refuses a pending migration numbered
 * before one already applied: it would run after DDL that was written assuming it had run.
 */
export function pendingMigrations(
  available: readonly string[],
  applied: ReadonlySet<string>,
): string[] {
  const lastApplied = available.findLastIndex((name) => applied.has(name));
  const skipped = available.slice(0, lastApplied + 1).filter((name) => !applied.has(name));
  if (skipped.length > 0) {
    throw new Error(
      `migration ${skipped.join(', ')} precedes the already applied ${available[lastApplied]}: give it the next free number`,
    );
  }
  return available.slice(lastApplied + 1);
}

async function migrationNames(set: MigrationSet): Promise<string[]> {
  const files = (await readdir(set.dir)).filter((file) => MIGRATION_FILE.test(file)).sort();
  for (const file of files) {
    if (!file.slice(5).startsWith(`${set.owner}-`)) {
      throw new Error(`migration ${join(set.dir, file)} must be named NNNN_${set.owner}-<what>`);
    }
  }
  return files.map((file) => file.replace(/\.(ts|js)$/, ''));
}

function assertUniqueNames(names: readonly string[]): void {
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new Error(`migration ${duplicate} is defined twice`);
}

const lockKey = (schema: string) => `trainyard.migrate:${schema}`;

// The table node-pg-migrate would create, created here first so pending work is known before it runs.
async function ensureVersionTable(client: PoolClient, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${s}.${MIGRATIONS_TABLE} (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL)`,
  );
}

async function appliedNames(client: PoolClient, schema: string): Promise<Set<string>> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT name FROM ${quoteIdent(schema)}.${MIGRATIONS_TABLE}`,
  );
  return new Set(rows.map((row) => row.name));
}

function runnerOptions(client: PoolClient, schema: string, set: MigrationSet): RunnerOption {
  return {
    dbClient: client,
    schema,
    migrationsSchema: schema,
    migrationsTable: MIGRATIONS_TABLE,
    dir: set.dir,
    // Everything but `NNNN_<name>.ts|js` (source maps, declarations, other files) is ignored.
    ignorePattern: '(?!\\d{4}_[a-z0-9-]+\\.(ts|js)$).*',
    direction: 'up',
    // Order is checked per owner by pendingMigrations; the table holds every owner's names.
    checkOrder: false,
    singleTransaction: true,
    noLock: true, // migrateSchema holds the per-schema lock for all sets
    migrationLoaderStrategies: [{ extensions: ['.ts', '.js'], loader: loadMigrationModules }],
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
}

type MigrationLoader = Exclude<
  RunnerOption['migrationLoaderStrategies'],
  undefined
>[number]['loader'];
type MigrationActions = Awaited<ReturnType<Exclude<MigrationLoader, string>>>[number]['actions'];

// import() rather than node-pg-migrate's jiti: it goes through whatever loads this file (jest's
// swc transform, tsx, or plain Node over the swc build), so the same modules load in all three.
const loadMigrationModules: MigrationLoader = async (filePaths) =>
  Promise.all(
    filePaths.map(async (filePath) => {
      const module = (await import(filePath)) as MigrationActions & { default?: MigrationActions };
      return {
        id: filePath,
        filePaths: [filePath],
        actions: module.up ? module : (module.default ?? module),
      };
    }),
  );
