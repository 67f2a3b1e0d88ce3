import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createEventStore } from '@trainyard/event-store';
import { migrateService } from '@trainyard/platform';
import { PLANNING_READ_MODEL_ENTITIES } from '@trainyard/planning-read-models';
import { createTestContext, entityTableDifferences } from '@trainyard/testing';
import type { TestContext } from '@trainyard/testing';
import { planningService } from '../src/planning.service';
import { createLegacySchema } from './legacy-schema.fixture';

// The planning schema as start-up and `npm run db:migrate` build it: every owner's migrations,
// applied once, and databases created before versioned migrations adopted unchanged.
// In the order they apply: the event store's, messaging's, the access model's, then the service's own.
const MIGRATIONS = [
  '0001_event-store-baseline',
  '0002_event-store-transparency-log',
  '0003_event-store-lz4-data',
  '0004_event-store-checkpoints-by-size',
  '0001_messaging-baseline',
  '0002_messaging-inbox-handled-at',
  '0001_platform-access-model',
  '0001_planning-read-models-baseline',
  '0002_planning-read-models-requester',
];
const MIGRATIONS_BY_NAME = [...MIGRATIONS].sort();

let fresh: TestContext;
let legacy: TestContext;

beforeAll(async () => {
  fresh = await createTestContext('planning_schema_fresh');
  legacy = await createTestContext('planning_schema_legacy');
});

afterAll(async () => {
  await fresh.dispose();
  await legacy.dispose();
});

/** Everything a migration defines, with the schema name taken out so two schemas compare. */
async function shapeOf(ctx: TestContext): Promise<unknown> {
  const query = async (sql: string): Promise<unknown> => {
    const { rows } = await ctx.pool.query<Record<string, unknown>>(sql, [ctx.schema]);
    return JSON.parse(JSON.stringify(rows).replaceAll(ctx.schema, '<schema>')) as unknown;
  };
  return {
    columns: await query(
      `SELECT table_name, ordinal_position, column_name, data_type, is_nullable, column_default, is_identity, collation_name
         FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
    ),
    constraints: await query(
      `SELECT c.conrelid::regclass::text AS "table", c.conname, pg_get_constraintdef(c.oid) AS definition
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1 ORDER BY 1, 2`,
    ),
    indexes: await query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`,
    ),
    triggers: await query(
      `SELECT t.tgname, t.tgenabled, pg_get_triggerdef(t.oid) AS definition
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND NOT t.tgisinternal ORDER BY t.tgname`,
    ),
    functions: await query(
      `SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 ORDER BY 1`,
    ),
    comments: await query(
      `SELECT c.relname, obj_description(c.oid, 'pg_class') AS comment
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1`,
    ),
  };
}

describe('planning schema migrations', () => {
  it('apply each migration exactly once when two instances start together on a fresh schema', async () => {
    const pools = [
      new Pool({ connectionString: fresh.databaseUrl }),
      new Pool({ connectionString: fresh.databaseUrl }),
    ];
    try {
      const reports = await Promise.all(
        pools.map((pool) => migrateService(planningService, pool, fresh.schema)),
      );

      expect(reports.flatMap((report) => report.flatMap((set) => set.applied)).sort()).toEqual(
        MIGRATIONS_BY_NAME,
      );
      const { rows } = await fresh.pool.query<{ name: string; times: number }>(
        `SELECT name, count(*)::int AS times FROM pgmigrations GROUP BY name ORDER BY name`,
      );
      expect(rows).toEqual(MIGRATIONS_BY_NAME.map((name) => ({ name, times: 1 })));
      expect(await migrateService(planningService, fresh.pool, fresh.schema)).toEqual([
        { owner: 'event-store', applied: [] },
        { owner: 'messaging', applied: [] },
        { owner: 'platform-access', applied: [] },
        { owner: 'planning-read-models', applied: [] },
      ]);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('adopt a schema created before versioned migrations: data kept, same shape as a fresh one', async () => {
    await createLegacySchema(legacy.pool, legacy.schema);
    const store = createEventStore(legacy.pool, legacy.schema, { crossProcessSignal: false });
    await store.append(
      'workload-w-1',
      [
        {
          type: 'WorkloadRegistered',
          data: { workloadId: 'w-1' },
          metadata: { eventId: 'e-1', correlationId: 'c-1', actor: 'alice' },
        },
      ],
      'no_stream',
    );
    await store.close();
    await legacy.pool.query(
      `INSERT INTO relay_checkpoints (name, checkpoint) VALUES ('planning', '0/1')`,
    );

    const report = await migrateService(planningService, legacy.pool, legacy.schema);

    expect(report.flatMap((set) => set.applied)).toEqual(MIGRATIONS);
    await migrateService(planningService, fresh.pool, fresh.schema);
    const shape = await shapeOf(legacy);
    expect(shape).toEqual(await shapeOf(fresh));
    expect(shape).toMatchObject({
      // Append-only guards: events, the Merkle tree's batches and its checkpoints.
      triggers: [{}, {}, {}, {}, {}, {}],
      functions: [{ proname: 'event_tree_refuse_change' }, { proname: 'refuse_change' }],
    });
    const { rows: events } = await legacy.pool.query('SELECT stream_id, event_type FROM events');
    expect(events).toEqual([{ stream_id: 'workload-w-1', event_type: 'WorkloadRegistered' }]);
    expect((await legacy.pool.query('SELECT checkpoint FROM relay_checkpoints')).rows).toEqual([
      { checkpoint: '0/1' },
    ]);
    await expect(legacy.pool.query(`UPDATE events SET event_type = 'Tampered'`)).rejects.toThrow(
      'append-only',
    );
    expect(
      (await legacy.pool.query(`SELECT to_regclass('event_store_migrations') AS old`)).rows,
    ).toEqual([{ old: null }]);

    const dataSource = await new DataSource({
      type: 'postgres',
      url: legacy.databaseUrl,
      schema: legacy.schema,
      entities: [...PLANNING_READ_MODEL_ENTITIES],
    }).initialize();
    try {
      expect(await entityTableDifferences(dataSource, legacy.schema)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
