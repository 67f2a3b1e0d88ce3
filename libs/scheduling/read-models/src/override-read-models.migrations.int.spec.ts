import { DataSource } from 'typeorm';
import { migrateSchema } from '@trainyard/event-store';
import { createTestContext, entityTableDifferences, type TestContext } from '@trainyard/testing';
import { SCHEDULING_OVERRIDE_ENTITIES } from './override.projection';
import { SCHEDULING_READ_MODEL_MIGRATIONS } from './read-models.migrations';

// The migrations are the only DDL of the override tables; the entities must map them exactly.
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('sched_override_migrations');
  await migrateSchema(ctx.pool, ctx.schema, [SCHEDULING_READ_MODEL_MIGRATIONS]);
});
afterAll(async () => {
  await ctx?.dispose();
});

describe('scheduling override read-model migration (0002)', () => {
  it('creates exactly the tables the override entities map', async () => {
    const dataSource = await new DataSource({
      type: 'postgres',
      url: ctx.databaseUrl,
      schema: ctx.schema,
      entities: [...SCHEDULING_OVERRIDE_ENTITIES],
      synchronize: false,
    }).initialize();
    try {
      expect(await entityTableDifferences(dataSource, ctx.schema)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
