// npm run db:migrate — creates or upgrades every service's schema (event store, messaging tables,
// read models). Idempotent; services also run it at start-up.
import { Pool } from 'pg';
import { DEFAULT_DATABASE_URL, ensureDatabase, redact } from '@trainyard/infra';
import { SERVICES, migrateService } from '@trainyard/platform';
import { SERVICE_DEFINITIONS } from './services';

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  await ensureDatabase(databaseUrl, (line) => console.log(`[db:migrate] ${line}`));
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  try {
    for (const service of SERVICES) {
      await migrateService(SERVICE_DEFINITIONS[service], pool, service);
      console.log(`[db:migrate] ${service}: schema "${service}" up to date`);
    }
  } finally {
    await pool.end();
  }
  console.log(`[db:migrate] ${redact(databaseUrl)} migrated`);
}

main().catch((error: unknown) => {
  console.error(`[db:migrate] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
