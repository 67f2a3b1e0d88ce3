// npm run infra:down — stops the Kafka broker infra:up started; PostgreSQL is the machine's and stays.
import { stopLocalKafka } from '@trainyard/infra';

stopLocalKafka()
  .then((stopped) => console.log(`[infra] ${stopped ? 'Kafka stopped' : 'no Kafka broker of ours was running'}`))
  .catch((error: unknown) => {
    console.error(`[infra] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
