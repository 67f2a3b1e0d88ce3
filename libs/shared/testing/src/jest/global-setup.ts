// Brings up what the suite needs once per run: the test database and a Kafka broker, in containers
// when a container runtime answers (testcontainers) and on this machine otherwise; TRAINYARD_INFRA
// (local|containers) overrides, and the choice is printed.
//
// Locally the suite runs its own broker on a free port pair, with its data under `.local/kafka-test`,
// and stops it and removes its data in global-teardown (or the next run does, if this one was
// killed; concurrent runs in one checkout keep theirs): a broker someone else runs on 9092 (for
// `npm start`, or left by an earlier session) is never borrowed, so it can neither disappear mid-run
// nor collect the suite's messages, and runs in other checkouts never meet. KAFKA_BROKERS set
// explicitly is used as it is and left running.
//
// Likewise the run's own database (`trainyard_test_p<jest pid>`, see run-database.ts) unless
// DATABASE_URL is set: dropped in global-teardown, or by the next run if this one was killed.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bringUpInfra,
  freePortPair,
  localDir,
  stopLocalKafka,
  type StartedInfraContainers,
} from '@trainyard/infra';
import { DEFAULT_TEST_SERVER, dropDeadRunDatabases, runDatabaseUrl } from './run-database';

declare global {
  var __TRAINYARD_STARTED_KAFKA__: { broker: string; home: string } | undefined;
  var __TRAINYARD_CONTAINERS__: StartedInfraContainers | undefined;
  var __TRAINYARD_RUN_DATABASE__: string | undefined;
}

export default async function globalSetup(): Promise<void> {
  const log = (line: string) => console.log(`\n[test infra] ${line}`);
  const given = process.env.KAFKA_BROKERS?.split(',')[0]?.trim();
  const home = localDir('kafka-test');
  if (!given) await removeEarlierTestBrokers(home, log);
  // Claimed before the broker starts, so a run starting meanwhile sees it is ours.
  const broker = given ?? `127.0.0.1:${await freePortPair()}`;
  if (!given) writeFileSync(join(home, `owner-${portOf(broker)}`), String(process.pid));
  const givenDatabase = process.env.DATABASE_URL;
  if (!givenDatabase)
    for (const name of await dropDeadRunDatabases(DEFAULT_TEST_SERVER, alive))
      log(`dropped ${name}, the database of an earlier test run that was killed`);
  const infra = await bringUpInfra({
    databaseUrl: givenDatabase ?? runDatabaseUrl(process.pid),
    broker,
    ...(given ? {} : { kafkaHome: home }),
    keepContainers: false,
    log,
  });
  globalThis.__TRAINYARD_STARTED_KAFKA__ = infra.startedKafka
    ? { broker: infra.startedKafka, home }
    : undefined;
  globalThis.__TRAINYARD_CONTAINERS__ = infra.containers;
  globalThis.__TRAINYARD_RUN_DATABASE__ =
    !givenDatabase && infra.mode === 'local' ? infra.databaseUrl : undefined;
  if (!givenDatabase) log(`test database ${new URL(infra.databaseUrl).pathname.slice(1)}`);
  process.env.DATABASE_URL = infra.databaseUrl;
  process.env.KAFKA_BROKERS = infra.broker;
}

const portOf = (broker: string) => broker.split(':').pop() ?? '';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Brokers of earlier runs in this checkout whose jest is gone without its teardown (killed), with
 * their data. A run still going in this checkout (its jest alive) keeps its broker.
 */
async function removeEarlierTestBrokers(home: string, log: (line: string) => void): Promise<void> {
  mkdirSync(home, { recursive: true });
  const entries = readdirSync(home);
  const ownedByLiveRun = (port: string) => {
    const ownerFile = join(home, `owner-${port}`);
    const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : NaN;
    return Number.isSafeInteger(owner) && owner !== process.pid && alive(owner);
  };
  // A run still starting has claimed its port (owner file) before its broker wrote a pid file.
  const live = new Set(
    entries
      .map((file) => /^owner-(\d+)$/.exec(file)?.[1])
      .filter((port): port is string => port !== undefined && ownedByLiveRun(port)),
  );
  for (const file of entries) {
    const port = /^broker-(\d+)\.pid$/.exec(file)?.[1];
    if (!port || live.has(port)) continue;
    if (await stopLocalKafka({ broker: `127.0.0.1:${port}`, home }))
      log(`stopped the broker an earlier test run left on port ${port}`);
  }
  for (const file of entries) {
    const port = /^(?:data|logs|owner)-(\d+)$/.exec(file)?.[1];
    if (port && !live.has(port)) rmSync(join(home, file), { recursive: true, force: true });
  }
}
