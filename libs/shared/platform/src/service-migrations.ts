import type { Pool } from 'pg';
import {
  EVENT_STORE_MIGRATIONS,
  migrateSchema,
  type AppliedMigrations,
} from '@trainyard/event-store';
import { MESSAGING_MIGRATIONS } from '@trainyard/messaging';
import { ACCESS_MODEL_MIGRATIONS } from './access/access-model.migrations';
import type { ServiceDefinition } from './service-definition';

/**
 * Applies every pending migration of the service's schema (event store, messaging, then the
 * service's own), under one per-schema lock. Shared by service start-up and `npm run db:migrate`.
 */
export async function migrateService(
  definition: Pick<ServiceDefinition, 'migrations'>,
  pool: Pool,
  schema: string,
): Promise<AppliedMigrations[]> {
  return migrateSchema(pool, schema, [
    EVENT_STORE_MIGRATIONS,
    MESSAGING_MIGRATIONS,
    ACCESS_MODEL_MIGRATIONS,
    ...(definition.migrations ?? []),
  ]);
}
