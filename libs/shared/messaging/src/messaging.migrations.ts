import { join } from 'node:path';
import { assertSchemaName, migrateSchema, type MigrationSet } from '@trainyard/event-store';
import type { Pool } from 'pg';

/**
 * The messaging tables, versioned:
 * - relay_checkpoints: where each outbox relay has published up to (a formatted store Checkpoint).
 * - inbox: the event ids each consumer group has handled; the row is written in the same
 *   transaction as the handler's effect, so a redelivered event finds it and changes nothing.
 * - projection_checkpoints: where each projection has folded up to, written in the same
 *   transaction as the read-model change.
 */
export const MESSAGING_MIGRATIONS: MigrationSet = {
  owner: 'messaging',
  dir: join(__dirname, 'migrations'),
};

/**
 * Creates or upgrades the messaging tables alone in `schema` (services migrate them with the rest
 * of their schema through the platform's `migrateService`). Returns the migrations it applied.
 */
export async function migrateMessaging(pool: Pool, schema: string): Promise<readonly string[]> {
  const [report] = await migrateSchema(pool, schema, [MESSAGING_MIGRATIONS]);
  return report?.applied ?? [];
}

/** Schema names are validated (plain lower-case identifiers), so quoting needs no escaping. */
export function quoteSchema(schema: string): string {
  return `"${assertSchemaName(schema)}"`;
}
