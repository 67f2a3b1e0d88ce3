import type { Pool } from 'pg';
import { createTestContext } from '@trainyard/testing';
import type { TestContext } from '@trainyard/testing';
import { migrateEventStore } from './event-store.migrations';

/** A spec file's test database, handing out freshly migrated event store schemas. */
export interface EventStoreSchemas {
  readonly pool: Pool;
  readonly databaseUrl: string;
  /** A new schema with the event store migrated into it, dropped when the file ends. */
  freshSchema(): Promise<string>;
  /** The schema's event positions in commit-safe order, i.e. by leaf index. */
  positionsInCommitOrder(schema: string): Promise<bigint[]>;
}

/**
 * Registers the file's beforeAll/afterAll. For tests that tamper with or seal a whole store, so each
 * wants a schema of its own.
 */
export function eventStoreSchemas(label: string): EventStoreSchemas {
  let ctx: TestContext;
  const schemas: string[] = [];

  beforeAll(async () => {
    ctx = await createTestContext(label);
  });

  afterAll(async () => {
    for (const schema of schemas) await ctx.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await ctx.dispose();
  });

  return {
    get pool() {
      return ctx.pool;
    },
    get databaseUrl() {
      return ctx.databaseUrl;
    },
    async freshSchema() {
      const schema = `${ctx.schema}_${schemas.length}`;
      schemas.push(schema);
      await migrateEventStore(ctx.pool, schema);
      return schema;
    },
    async positionsInCommitOrder(schema) {
      const { rows } = await ctx.pool.query<{ position: string }>(
        `SELECT e.position::text AS position FROM "${schema}".events e ORDER BY e.transaction_id, e.position`,
      );
      return rows.map((r) => BigInt(r.position));
    },
  };
}
