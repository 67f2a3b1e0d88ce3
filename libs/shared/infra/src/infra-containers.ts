// PostgreSQL and Kafka in containers, through testcontainers, with the images docker-compose.yml
// runs. testcontainers is loaded only when containers are used (it is heavy, and services never need it).
import { freePort } from './free-ports';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import type { ContainerRuntimeStatus } from './infra-selection';
import { repoRoot } from './repo-root';

export const POSTGRES_IMAGE = 'postgres:15';

/** The Kafka version of infra/kafka/pom.xml: the local broker's, and the image tag of docker-compose.yml. */
export function kafkaVersion(root: string = repoRoot()): string {
  const pom = readFileSync(join(root, 'infra', 'kafka', 'pom.xml'), 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  if (!version) throw new Error('infra/kafka/pom.xml has no <kafka.version>');
  return version;
}

export const kafkaImage = (): string => `apache/kafka:${kafkaVersion()}`;

/** Asks testcontainers' own runtime discovery (DOCKER_HOST, ~/.testcontainers.properties, the default sockets). */
export async function probeContainerRuntime(): Promise<ContainerRuntimeStatus> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await getContainerRuntimeClient();
    const { serverVersion, operatingSystem } = client.info.containerRuntime;
    return {
      available: true,
      description: `${client.info.containerRuntime.host} (${operatingSystem} ${serverVersion})`,
    };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export interface InfraContainersOptions {
  /** Database to create in the PostgreSQL container. */
  readonly database: string;
  /** Host ports; random free ports when omitted (tests). */
  readonly postgresPort?: number;
  readonly kafkaPort?: number;
  /**
   * Keep the containers after this process exits and find them again next time (`npm run
   * infra:up`); otherwise testcontainers removes them with the process.
   */
  readonly keep?: boolean;
  readonly log?: (line: string) => void;
}

export interface StartedInfraContainers {
  readonly databaseUrl: string;
  readonly broker: string;
  stop(): Promise<void>;
}

/** Label of containers `npm run infra:up` keeps, so `npm run infra:down` finds them. */
export const KEPT_CONTAINER_LABEL = 'dev.trainyard.infra';

export async function startInfraContainers(
  options: InfraContainersOptions,
): Promise<StartedInfraContainers> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const log = options.log ?? (() => undefined);
  const keep = (container: InstanceType<typeof GenericContainer>) =>
    options.keep ? container.withReuse().withLabels({ [KEPT_CONTAINER_LABEL]: 'kept' }) : container;
  const postgresImage = process.env.TRAINYARD_POSTGRES_IMAGE ?? POSTGRES_IMAGE;
  const image = process.env.TRAINYARD_KAFKA_IMAGE ?? kafkaImage();
  // Kafka advertises the host port it is reached on, so that port is fixed before the start.
  const kafkaPort = options.kafkaPort ?? (await freePort());

  log(`starting ${postgresImage} and ${image} (testcontainers)`);
  const [postgres, kafka] = await Promise.all([
    keep(
      new GenericContainer(postgresImage)
        // Trust auth, as docker-compose.yml and the local server: postgres://postgres@…
        .withEnvironment({
          POSTGRES_HOST_AUTH_METHOD: 'trust',
          POSTGRES_USER: 'postgres',
          POSTGRES_DB: options.database,
        })
        .withExposedPorts(
          options.postgresPort ? { container: 5432, host: options.postgresPort } : 5432,
        )
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .withStartupTimeout(120_000),
    ).start(),
    keep(
      new GenericContainer(image)
        .withEnvironment(kafkaEnvironment(kafkaPort))
        .withExposedPorts({ container: 9092, host: kafkaPort })
        .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
        .withStartupTimeout(120_000),
    ).start(),
  ]);
  const databaseUrl = `postgres://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/${options.database}`;
  const broker = `${kafka.getHost() === 'localhost' ? '127.0.0.1' : kafka.getHost()}:${kafkaPort}`;
  log(`PostgreSQL ${databaseUrl}, Kafka ${broker}`);
  return { databaseUrl, broker, stop: () => stopAll([kafka, postgres]) };
}

/** Stops and removes the containers `npm run infra:up` kept. Resolves how many there were. */
export async function stopKeptInfraContainers(): Promise<number> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const kept = (await client.container.list()).filter(
    (info) => info.Labels[KEPT_CONTAINER_LABEL] === 'kept',
  );
  for (const info of kept) {
    const container = client.container.getById(info.Id);
    await client.container.stop(container, { timeout: 15 });
    await client.container.remove(container, { removeVolumes: true });
  }
  return kept.length;
}

/** Single-node KRaft as docker-compose.yml runs it, the listener for the host on `hostPort`. */
function kafkaEnvironment(hostPort: number): Record<string, string> {
  return {
    CLUSTER_ID: 'UNo3_Zl0ls_ETjDBe_j_aA',
    KAFKA_NODE_ID: '1',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
    KAFKA_LISTENERS: 'PLAINTEXT://:29092,EXTERNAL://:9092,CONTROLLER://:9093',
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:29092,EXTERNAL://127.0.0.1:${hostPort}`,
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
      'PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
    KAFKA_NUM_PARTITIONS: '3',
    KAFKA_DEFAULT_REPLICATION_FACTOR: '1',
    KAFKA_MIN_INSYNC_REPLICAS: '1',
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
    KAFKA_DELETE_TOPIC_ENABLE: 'true',
    KAFKA_HEAP_OPTS: '-Xms256m -Xmx512m',
  };
}

async function stopAll(containers: StartedTestContainer[]): Promise<void> {
  await Promise.all(
    containers.map((container) => container.stop({ timeout: 15_000 }).catch(() => undefined)),
  );
}
