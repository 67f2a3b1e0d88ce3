// npm run infra:down — stops what infra:up started: the local Kafka broker, or the containers it
// kept. PostgreSQL on this machine is the machine's and stays.
import {
  chooseInfra,
  probeContainerRuntime,
  stopKeptInfraContainers,
  stopLocalKafka,
} from '@trainyard/infra';

async function main(): Promise<void> {
  const choice = await chooseInfra(process.env.TRAINYARD_INFRA, probeContainerRuntime);
  if (choice.mode === 'containers') {
    const stopped = await stopKeptInfraContainers();
    console.log(
      `[infra] ${stopped ? `${stopped} container(s) stopped and removed` : 'no containers of ours were running'}`,
    );
    return;
  }
  const stopped = await stopLocalKafka();
  console.log(`[infra] ${stopped ? 'Kafka stopped' : 'no Kafka broker of ours was running'}`);
}

main().catch((error: unknown) => {
  console.error(`[infra] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
