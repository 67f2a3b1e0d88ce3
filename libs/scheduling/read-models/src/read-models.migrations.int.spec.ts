import { Column, DataSource, Entity, Index, PrimaryColumn } from 'typeorm';
import { migrateSchema } from '@trainyard/event-store';
import { createTestContext, entityTableDifferences } from '@trainyard/testing';
import type { TestContext } from '@trainyard/testing';
import { SCHEDULING_READ_MODEL_ENTITIES } from './index';
import { SCHEDULING_READ_MODEL_MIGRATIONS } from './read-models.migrations';

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
  ctx = await createTestContext('sched_rm_migrations');
  await migrateSchema(ctx.pool, ctx.schema, [SCHEDULING_READ_MODEL_MIGRATIONS]);
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

@Entity({ name: 'calendar_entries' })
@Index('calendar_entries_kind_idx', ['retired', 'kind'])
class DriftedEntry {
  @PrimaryColumn({ name: 'entry_id', type: 'text' }) entryId!: string;
  @Column({ type: 'text', nullable: true }) kind!: string | null;
  @Column({ type: 'boolean' }) retired!: boolean;
  @Column({ type: 'text' }) sequence!: string;
  @Column({ name: 'risk_budget', type: 'integer' }) riskBudget!: number;
}

describe('scheduling read-model migrations', () => {
  it('create exactly the tables the entities map', async () => {
    expect(await differences(SCHEDULING_READ_MODEL_ENTITIES)).toEqual([]);
  });

  it('are told apart from an entity that drifted (so the check above can fail)', async () => {
    const drift = await differences([DriftedEntry]);

    expect(drift).toEqual(
      expect.arrayContaining([
        'calendar_entries.kind: entity text NULL, table text NOT NULL',
        'calendar_entries.sequence: entity text NOT NULL, table integer NOT NULL',
        'calendar_entries.risk_budget: mapped by DriftedEntry, missing in the table',
        'calendar_entries.zone: in the table, not mapped by DriftedEntry',
        'calendar_entries index calendar_entries_kind_idx: entity (retired, kind), table (kind, retired)',
      ]),
    );
  });
});
