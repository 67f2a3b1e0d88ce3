import { DataSource } from 'typeorm';
import { migrateSchema } from '@trainyard/event-store';
import { createTestContext, entityTableDifferences } from '@trainyard/testing';
import type { TestContext } from '@trainyard/testing';
import { COMPLIANCE_READ_MODEL_ENTITIES } from './index';
import { COMPLIANCE_READ_MODEL_MIGRATIONS } from './read-models.migrations';

// The migrations are the only DDL of the read-model tables; the entities must map them exactly.
let ctx: TestContext;

const dataSourceFor = (entities: readonly (new () => unknown)[]) =>
  new DataSource({
    type: 'postgres',
    url: ctx.databaseUrl,
    schema: ctx.schema,
    entities: [...entities],
    synchronize: false,
  });

beforeAll(async () => {
  ctx = await createTestContext('cpol_read_model_migrations');
  await migrateSchema(ctx.pool, ctx.schema, [COMPLIANCE_READ_MODEL_MIGRATIONS]);
});

afterAll(async () => {
  await ctx.dispose();
});

async function differences(entities: readonly (new () => unknown)[]): Promise<string[]> {
  const dataSource = await dataSourceFor(entities).initialize();
  try {
    return await entityTableDifferences(dataSource, ctx.schema);
  } finally {
    await dataSource.destroy();
  }
}

describe('compliance read-model migrations', () => {
  it('create exactly the tables the entities map', async () => {
    expect(await differences(COMPLIANCE_READ_MODEL_ENTITIES)).toEqual([]);
  });
});
