import { stopLocalKafka } from '@trainyard/infra';

export default async function globalTeardown(): Promise<void> {
  const broker = globalThis.__TRAINYARD_STARTED_KAFKA__;
  if (broker) await stopLocalKafka({ broker });
  await globalThis.__TRAINYARD_CONTAINERS__?.stop();
}
