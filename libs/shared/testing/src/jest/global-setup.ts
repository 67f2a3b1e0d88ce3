// Brings up what the suite needs once per run: the test database and a Kafka broker, in containers
// when a container runtime answers (testcontainers) and on this machine otherwise; TRAINYARD_INFRA
// (local|containers) overrides, and the choice is printed.
//
// Locally the suite runs its own broker on TEST_BROKER, with its data under `.local/kafka-test`
// wiped at every start, and stops it in global-teardown: a broker someone else runs on 9092 (for
// `npm start`, or left by an earlier session) is never borrowed, so it can neither disappear mid-run
// nor collect the suite's messages. KAFKA_BROKERS set explicitly is used as it is and left running.
import { rmSync } from 'node:fs';
import {
  bringUpInfra,
  localDir,
  stopLocalKafka,
  type StartedInfraContainers,
} from '@trainyard/infra';

const TEST_BROKER = '127.0.0.1:29092';

declare global {
  var __TRAINYARD_STARTED_KAFKA__: { broker: string; home: string } | undefined;
  var __TRAINYARD_CONTAINERS__: StartedInfraContainers | undefined;
}

export default async function globalSetup(): Promise<void> {
  const log = (line: string) => console.log(`\n[test infra] ${line}`);
  const given = process.env.KAFKA_BROKERS?.split(',')[0]?.trim();
  const home = localDir('kafka-test');
  if (!given) {
    // A broker of an earlier run that never reached its teardown (a killed jest) goes first.
    if (await stopLocalKafka({ broker: TEST_BROKER, home }))
      log(`stopped the broker an earlier test run left on ${TEST_BROKER}`);
    rmSync(home, { recursive: true, force: true });
  }
  const infra = await bringUpInfra({
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/trainyard_test',
    broker: given ?? TEST_BROKER,
    ...(given ? {} : { kafkaHome: home }),
    keepContainers: false,
    log,
  });
  globalThis.__TRAINYARD_STARTED_KAFKA__ = infra.startedKafka
    ? { broker: infra.startedKafka, home }
    : undefined;
  globalThis.__TRAINYARD_CONTAINERS__ = infra.containers;
  process.env.DATABASE_URL = infra.databaseUrl;
  process.env.KAFKA_BROKERS = infra.broker;
}
