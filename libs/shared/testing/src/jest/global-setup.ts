// Brings up what the suite needs once per run: the test database and a Kafka broker, in containers
// when a container runtime answers (testcontainers) and on this machine otherwise; TRAINYARD_INFRA
// (local|containers) overrides, and the choice is printed. Locally, a broker already answering on
// KAFKA_BROKERS (default 127.0.0.1:9092) is used as it is and left running; a broker or containers
// started here are stopped by global-teardown.
import { bringUpInfra, type StartedInfraContainers } from '@trainyard/infra';

declare global {
  var __TRAINYARD_STARTED_KAFKA__: string | undefined;
  var __TRAINYARD_CONTAINERS__: StartedInfraContainers | undefined;
}

export default async function globalSetup(): Promise<void> {
  const infra = await bringUpInfra({
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/trainyard_test',
    broker: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0]!.trim(),
    keepContainers: false,
    log: (line) => console.log(`\n[test infra] ${line}`),
  });
  globalThis.__TRAINYARD_STARTED_KAFKA__ = infra.startedKafka;
  globalThis.__TRAINYARD_CONTAINERS__ = infra.containers;
  process.env.DATABASE_URL = infra.databaseUrl;
  if (infra.containers) process.env.KAFKA_BROKERS = infra.broker;
  else process.env.KAFKA_BROKERS ??= infra.broker;
}
