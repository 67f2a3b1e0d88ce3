import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createTestContext } from '@trainyard/testing';
import type { TestContext } from '@trainyard/testing';
import { EVENT_STORE_MIGRATIONS, migrateEventStore } from './event-store.migrations';
import { freshStreamId, newEvent } from './new-event.fixture';
import { createEventStore } from './postgres-event-store';
import { MIGRATIONS_TABLE, migrateSchema, type MigrationSet } from './schema-migrations';

// A second owner whose migrations each test writes as plain CommonJS files, so a test can add a
// migration between two runs the way a release does.
let ctx: TestContext;
let dir: string;
let probe: MigrationSet;

const writeMigration = (name: string, sql: string) =>
  writeFile(
    join(dir, `${name}.js`),
    `exports.up = (pgm) => { pgm.sql(${JSON.stringify(sql)}); };\n`,
  );

async function appliedRows(schema: string): Promise<string[]> {
  const { rows } = await ctx.pool.query<{ name: string }>(
    `SELECT name FROM "${schema}".${MIGRATIONS_TABLE} ORDER BY id`,
  );
  return rows.map((row) => row.name);
}

beforeEach(async () => {
  ctx = await createTestContext('schema_migrations');
  dir = await mkdtemp(join(tmpdir(), 'trainyard-migrations-'));
  probe = { owner: 'probe', dir };
  await writeMigration('0001_probe-create', 'CREATE TABLE probe (id integer PRIMARY KEY)');
});

afterEach(async () => {
  await ctx.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('migrateSchema', () => {
  it('applies each migration exactly once when two instances start together on a fresh schema', async () => {
    // Two pools: two service instances, each with its own connections.
    const pools = [
      new Pool({ connectionString: ctx.databaseUrl }),
      new Pool({ connectionString: ctx.databaseUrl }),
    ];
    try {
      const reports = await Promise.all(
        pools.map((pool) => migrateSchema(pool, ctx.schema, [EVENT_STORE_MIGRATIONS, probe])),
      );

      const appliedByEither = reports.flatMap((report) => report.flatMap((set) => set.applied));
      const all = [
        '0001_event-store-baseline',
        '0001_probe-create',
        '0002_event-store-transparency-log',
        '0003_event-store-lz4-data',
        '0004_event-store-checkpoints-by-size',
      ];
      expect(appliedByEither.sort()).toEqual(all);
      expect((await appliedRows(ctx.schema)).sort()).toEqual(all);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('applies only the migration added since the last run, then reports nothing to do', async () => {
    await migrateSchema(ctx.pool, ctx.schema, [probe]);
    await writeMigration('0002_probe-column', 'ALTER TABLE probe ADD COLUMN label text');

    expect(await migrateSchema(ctx.pool, ctx.schema, [probe])).toEqual([
      { owner: 'probe', applied: ['0002_probe-column'] },
    ]);
    expect(await migrateSchema(ctx.pool, ctx.schema, [probe])).toEqual([
      { owner: 'probe', applied: [] },
    ]);
    await ctx.pool.query(`INSERT INTO "${ctx.schema}".probe (id, label) VALUES (1, 'x')`);
  });

  it('refuses a migration numbered before one already applied, and applies nothing', async () => {
    await writeMigration('0002_probe-column', 'ALTER TABLE probe ADD COLUMN label text');
    await migrateSchema(ctx.pool, ctx.schema, [probe]);
    await writeMigration('0001_probe-late', 'CREATE TABLE late (id integer)');

    await expect(migrateSchema(ctx.pool, ctx.schema, [probe])).rejects.toThrow(
      'migration 0001_probe-late precedes the already applied 0002_probe-column',
    );
    expect(await appliedRows(ctx.schema)).toEqual(['0001_probe-create', '0002_probe-column']);
  });

  it("rolls back an owner's pending migrations together when one fails, and releases the lock", async () => {
    await writeMigration('0002_probe-column', 'ALTER TABLE probe ADD COLUMN label text');
    await writeMigration('0003_probe-broken', 'ALTER TABLE no_such_table ADD COLUMN x text');

    await expect(migrateSchema(ctx.pool, ctx.schema, [probe])).rejects.toThrow('no_such_table');
    expect(await appliedRows(ctx.schema)).toEqual([]);
    const { rows } = await ctx.pool.query(
      'SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2',
      [ctx.schema, 'probe'],
    );
    expect(rows).toHaveLength(0);

    await rm(join(dir, '0003_probe-broken.js'));
    expect(await migrateSchema(ctx.pool, ctx.schema, [probe])).toEqual([
      { owner: 'probe', applied: ['0001_probe-create', '0002_probe-column'] },
    ]);
  });

  it('refuses a file not named after its owner and a name defined twice', async () => {
    await writeMigration('0002_other-thing', 'SELECT 1');
    await expect(migrateSchema(ctx.pool, ctx.schema, [probe])).rejects.toThrow(
      'must be named NNNN_probe-<what>',
    );
    await rm(join(dir, '0002_other-thing.js'));

    await expect(
      migrateSchema(ctx.pool, ctx.schema, [probe, { owner: 'probe', dir }]),
    ).rejects.toThrow('migration 0001_probe-create is defined twice');
  });

  it('leaves the pool connection with its own search_path', async () => {
    const pool = new Pool({ connectionString: ctx.databaseUrl, max: 1 });
    try {
      const before = await pool.query<{ search_path: string }>('SHOW search_path');
      await migrateSchema(pool, ctx.schema, [probe]);
      expect(await pool.query('SHOW search_path')).toMatchObject({ rows: before.rows });
    } finally {
      await pool.end();
    }
  });

  // Why: pglz compression was about half of what appending 100 PolicyEvaluated events (~6.3 KB
  // each) cost; data stored from migration 0003 on is compressed with lz4 where the server has it.
  it('compresses event data with lz4 when the server has it, and reads it back unchanged', async () => {
    await migrateEventStore(ctx.pool, ctx.schema);
    const store = createEventStore(ctx.pool, ctx.schema, { crossProcessSignal: false });
    try {
      const data = { rules: Array.from({ length: 200 }, (_, i) => ({ ruleId: `rule-${i}` })) };
      const streamId = freshStreamId('lz4');
      await store.append(streamId, [newEvent('Large', data)], 'no_stream');
      const { rows } = await ctx.pool.query<{ method: string | null; lz4: boolean }>(
        `SELECT pg_column_compression(e.data) AS method,
                (SELECT 'lz4' = ANY (enumvals) FROM pg_settings
                  WHERE name = 'default_toast_compression') AS lz4
           FROM "${ctx.schema}".events e WHERE e.stream_id = $1`,
        [streamId],
      );
      expect(rows[0]?.method).toBe(rows[0]?.lz4 ? 'lz4' : 'pglz');
      const [stored] = await store.readStream(streamId);
      expect(stored?.data).toEqual(data);
    } finally {
      await store.close();
    }
  });
});
