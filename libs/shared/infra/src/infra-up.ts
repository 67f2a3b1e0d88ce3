import { chooseInfra, type ContainerRuntimeProbe, type InfraMode } from './infra-selection';
import {
  probeContainerRuntime,
  startInfraContainers,
  type StartedInfraContainers,
} from './infra-containers';
import { kafkaIsUp, startLocalKafka } from './kafka-local';
import { ensureDatabase } from './postgres-local';

export interface BringUpInfraOptions {
  /** The database wanted (local mode: created when missing; containers: its name is used). */
  readonly databaseUrl: string;
  /** The broker wanted in local mode (an answering one is used as it is). */
  readonly broker: string;
  /** Local mode: where a broker started here keeps data, config, logs and pid (default `.local/kafka`). */
  readonly kafkaHome?: string;
  /**
   * Containers: `keep` publishes them on the ports of `databaseUrl` and `broker` and keeps them
   * after this process (infra:up); otherwise random ports, removed with the process (tests).
   */
  readonly keepContainers: boolean;
  readonly log: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  readonly probe?: ContainerRuntimeProbe;
}

export interface InfraUp {
  readonly mode: InfraMode;
  readonly databaseUrl: string;
  readonly broker: string;
  /** Local mode: the broker address when this call started it (then it is ours to stop). */
  readonly startedKafka?: string;
  /** Containers mode: the running containers. */
  readonly containers?: StartedInfraContainers;
}

/** PostgreSQL database and Kafka broker, in containers or on this machine (chooseInfra decides; the choice is logged). */
export async function bringUpInfra(options: BringUpInfraOptions): Promise<InfraUp> {
  const env = options.env ?? process.env;
  const choice = await chooseInfra(env.TRAINYARD_INFRA, options.probe ?? probeContainerRuntime);
  options.log(`infrastructure: ${choice.reason}`);
  if (choice.mode === 'containers') {
    const url = new URL(options.databaseUrl);
    const containers = await startInfraContainers({
      database: decodeURIComponent(url.pathname.slice(1)) || 'trainyard',
      ...(options.keepContainers
        ? {
            postgresPort: Number(url.port || 5432),
            kafkaPort: Number(options.broker.split(':')[1] ?? 9092),
          }
        : {}),
      keep: options.keepContainers,
      log: options.log,
    });
    return {
      mode: 'containers',
      databaseUrl: containers.databaseUrl,
      broker: containers.broker,
      containers,
    };
  }
  await ensureDatabase(options.databaseUrl, options.log);
  if (await kafkaIsUp(options.broker))
    return { mode: 'local', databaseUrl: options.databaseUrl, broker: options.broker };
  const kafka = await startLocalKafka({
    broker: options.broker,
    ...(options.kafkaHome ? { home: options.kafkaHome } : {}),
    log: options.log,
  });
  return {
    mode: 'local',
    databaseUrl: options.databaseUrl,
    broker: kafka.broker,
    ...(kafka.started ? { startedKafka: kafka.broker } : {}),
  };
}
