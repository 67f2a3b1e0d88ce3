import { assertSchemaName } from '@trainyard/event-store';
import type { Pool } from 'pg';

/**
 * Creates the messaging tables in `schema` (and the schema itself) if they do not exist. Idempotent
 * and safe to run from several instances at once: one transaction under a per-schema advisory lock.
 *
 * - relay_checkpoints: where each outbox relay has published up to (a formatted store Checkpoint).
 * - inbox: the event ids each consumer group has handled; the row is written in the same
 *   transaction as the handler's effect, so a redelivered event finds it and changes nothing.
 * - projection_checkpoints: where each projection has folded up to, written in the same
 *   transaction as the read-model change.
 */
export async function migrateMessaging(pool: Pool, schema: string): Promise<void> {
  const s = quoteSchema(schema);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `trainyard.messaging.migrate:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`
CREATE TABLE IF NOT EXISTS ${s}.relay_checkpoints (
  name        text PRIMARY KEY,
  checkpoint  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${s}.inbox (
  consumer_group  text NOT NULL,
  event_id        text NOT NULL,
  handled_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT inbox_pkey PRIMARY KEY (consumer_group, event_id)
);
CREATE TABLE IF NOT EXISTS ${s}.projection_checkpoints (
  projection  text PRIMARY KEY,
  checkpoint  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Schema names are validated (plain lower-case identifiers), so quoting needs no escaping. */
export function quoteSchema(schema: string): string {
  return `"${assertSchemaName(schema)}"`;
}
