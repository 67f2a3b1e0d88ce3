// npm run infra:up — PostgreSQL database and a Kafka broker, both idempotent: in containers
// (testcontainers, kept running on the default ports) when a container runtime answers, on this
// machine otherwise; TRAINYARD_INFRA=local|containers overrides.
import { DEFAULT_DATABASE_URL, bringUpInfra } from '@trainyard/infra';

async function main(): Promise<void> {
  const log = (line: string) => console.log(`[infra] ${line}`);
  const infra = await bringUpInfra({
    databaseUrl: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    broker: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0]!.trim(),
    keepContainers: true,
    log,
  });
  log(`PostgreSQL ready: ${infra.databaseUrl}`);
  log(
    `Kafka ready on ${infra.broker}${infra.mode === 'local' && !infra.startedKafka ? ' (already running)' : ''}`,
  );
}

main().catch((error: unknown) => {
  console.error(`[infra] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
