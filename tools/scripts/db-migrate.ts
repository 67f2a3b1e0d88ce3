// npm run db:migrate — applies every service's pending schema migrations (event store, messaging,
// read models) and prints what it applied, per service schema. Services run the same code at start.
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
      const report = await migrateService(SERVICE_DEFINITIONS[service], pool, service);
      const applied = report.flatMap((set) => set.applied);
      if (applied.length === 0)
        console.log(`[db:migrate] ${service}: schema "${service}" up to date`);
      for (const name of applied)
        console.log(`[db:migrate] ${service}: schema "${service}" applied ${name}`);
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
