// Brings up what the suite needs once per run: the test database and a Kafka broker, in containers
// when a container runtime answers (testcontainers) and on this machine otherwise; TRAINYARD_INFRA
// (local|containers) overrides, and the choice is printed.
//
// Locally the suite runs its own broker on a free port pair, with its data under `.local/kafka-test`
// wiped at every start, and stops it in global-teardown: a broker someone else runs on 9092 (for
// `npm start`, or left by an earlier session) is never borrowed, so it can neither disappear mid-run
// nor collect the suite's messages, and runs in other checkouts never meet. KAFKA_BROKERS set
// explicitly is used as it is and left running.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import {
  bringUpInfra,
  freePortPair,
  localDir,
  stopLocalKafka,
  type StartedInfraContainers,
} from '@trainyard/infra';

declare global {
  var __TRAINYARD_STARTED_KAFKA__: { broker: string; home: string } | undefined;
  var __TRAINYARD_CONTAINERS__: StartedInfraContainers | undefined;
}

export default async function globalSetup(): Promise<void> {
  const log = (line: string) => console.log(`\n[test infra] ${line}`);
  const given = process.env.KAFKA_BROKERS?.split(',')[0]?.trim();
  const home = localDir('kafka-test');
  if (!given) await removeEarlierTestBrokers(home, log);
  const infra = await bringUpInfra({
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/trainyard_test',
    broker: given ?? `127.0.0.1:${await freePortPair()}`,
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

/** Brokers of earlier runs in this checkout that never reached their teardown (a killed jest). */
async function removeEarlierTestBrokers(home: string, log: (line: string) => void): Promise<void> {
  if (existsSync(home))
    for (const file of readdirSync(home)) {
      const port = /^broker-(\d+)\.pid$/.exec(file)?.[1];
      if (port && (await stopLocalKafka({ broker: `127.0.0.1:${port}`, home })))
        log(`stopped the broker an earlier test run left on port ${port}`);
    }
  rmSync(home, { recursive: true, force: true });
}
