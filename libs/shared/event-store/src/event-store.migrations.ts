import { join } from 'node:path';
import type { Pool } from 'pg';
import { migrateSchema, type MigrationSet } from './schema-migrations';

/** The event store's tables (events, the Merkle tree's batches and checkpoints, their immutability triggers), versioned. */
export const EVENT_STORE_MIGRATIONS: MigrationSet = {
  owner: 'event-store',
  dir: join(__dirname, 'migrations'),
};

/**
 * Creates or upgrades the event store alone in `schema` (services migrate it with the rest of their
 * schema through the platform's `migrateService`). Returns the names of the migrations it applied.
 */
export async function migrateEventStore(pool: Pool, schema: string): Promise<readonly string[]> {
  const [report] = await migrateSchema(pool, schema, [EVENT_STORE_MIGRATIONS]);
  return report?.applied ?? [];
}
