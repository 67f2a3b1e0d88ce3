// npm run infra:up — PostgreSQL database and a local Kafka broker, both idempotent.
import { DEFAULT_DATABASE_URL, ensureDatabase, startLocalKafka } from '@trainyard/infra';

async function main(): Promise<void> {
  const log = (line: string) => console.log(`[infra] ${line}`);
  await ensureDatabase(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, log);
  const kafka = await startLocalKafka({ log });
  log(`Kafka ready on ${kafka.broker}${kafka.started ? '' : ' (already running)'}`);
}

main().catch((error: unknown) => {
  console.error(`[infra] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
