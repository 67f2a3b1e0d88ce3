import type { Pool } from 'pg';
import { createTestContext } from '@trainyard/testing';
import type { TestContext } from '@trainyard/testing';
import { migrateEventStore } from './event-store.migrations';
import { createEventStore, type PostgresEventStoreOptions } from './postgres-event-store';
import type { PostgresEventStore } from './postgres-event-store';

/** A spec file's test database, handing out freshly migrated event store schemas. */
export interface EventStoreSchemas {
  readonly pool: Pool;
  readonly databaseUrl: string;
  /** A new schema with the event store migrated into it, dropped when the file ends. */
  freshSchema(): Promise<string>;
  /** A fresh schema and an event store on it, closed when the file ends. */
  freshStore(
    options?: PostgresEventStoreOptions,
  ): Promise<{ readonly schema: string; readonly store: PostgresEventStore }>;
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
  const stores: PostgresEventStore[] = [];

  beforeAll(async () => {
    ctx = await createTestContext(label);
  });

  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const schema of schemas) await ctx.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await ctx.dispose();
  });

  const freshSchema = async () => {
    const schema = `${ctx.schema}_${schemas.length}`;
    schemas.push(schema);
    await migrateEventStore(ctx.pool, schema);
    return schema;
  };

  return {
    get pool() {
      return ctx.pool;
    },
    get databaseUrl() {
      return ctx.databaseUrl;
    },
    freshSchema,
    async freshStore(options) {
      const schema = await freshSchema();
      const store = createEventStore(ctx.pool, schema, options);
      stores.push(store);
      return { schema, store };
    },
    async positionsInCommitOrder(schema) {
      const { rows } = await ctx.pool.query<{ position: string }>(
        `SELECT e.position::text AS position FROM "${schema}".events e ORDER BY e.transaction_id, e.position`,
      );
      return rows.map((r) => BigInt(r.position));
    },
  };
}
