import { Column, DataSource, Entity, Index, PrimaryColumn } from 'typeorm';
import { migrateSchema } from '@trainyard/event-store';
import { createTestContext, entityTableDifferences } from '@trainyard/testing';
import type { TestContext } from '@trainyard/testing';
import { PLANNING_READ_MODEL_ENTITIES } from './index';
import { PLANNING_READ_MODEL_MIGRATIONS } from './read-models.migrations';

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
  ctx = await createTestContext('read_model_migrations');
  await migrateSchema(ctx.pool, ctx.schema, [PLANNING_READ_MODEL_MIGRATIONS]);
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

@Entity({ name: 'releases' })
@Index('releases_train_idx', ['status', 'trainId'])
class DriftedRelease {
  @PrimaryColumn({ name: 'release_id', type: 'text' }) releaseId!: string;
  @Column({ name: 'train_id', type: 'text' }) trainId!: string;
  @Column({ type: 'text', nullable: true }) status!: string | null;
  @Column({ name: 'capacity_total', type: 'integer' }) capacityTotal!: number;
  @Column({ name: 'risk_budget', type: 'integer' }) riskBudget!: number;
}

describe('planning read-model migrations', () => {
  it('create exactly the tables the entities map', async () => {
    expect(await differences(PLANNING_READ_MODEL_ENTITIES)).toEqual([]);
  });

  it('are told apart from an entity that drifted (so the check above can fail)', async () => {
    const drift = await differences([DriftedRelease]);

    expect(drift).toEqual(
      expect.arrayContaining([
        'releases.status: entity text NULL, table text NOT NULL',
        'releases.capacity_total: entity integer NOT NULL, table double precision NOT NULL',
        'releases.risk_budget: mapped by DriftedRelease, missing in the table',
        'releases.kind: in the table, not mapped by DriftedRelease',
        'releases index releases_train_idx: entity (status, train_id), table (train_id, status)',
      ]),
    );
  });
});
