// Brings up what the suite needs once per run: the test database and a Kafka broker. When
// KAFKA_BROKERS names a reachable broker (or one already runs on the default address) it is used
// as it is and left running; a broker started here is stopped by global-teardown.
import { ensureDatabase, kafkaIsUp, startLocalKafka } from '@trainyard/infra';

declare global {
  var __TRAINYARD_STARTED_KAFKA__: string | undefined;
}

export default async function globalSetup(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/trainyard_test';
  process.env.DATABASE_URL = databaseUrl;
  await ensureDatabase(databaseUrl);
  const broker = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0]!.trim();
  if (!(await kafkaIsUp(broker))) {
    const result = await startLocalKafka({ broker, log: (line) => console.log(`\n[test infra] ${line}`) });
    if (result.started) globalThis.__TRAINYARD_STARTED_KAFKA__ = result.broker;
  }
  process.env.KAFKA_BROKERS ??= broker;
}
