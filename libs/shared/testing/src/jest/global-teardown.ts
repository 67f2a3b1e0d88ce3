import { stopLocalKafka } from '@trainyard/infra';

export default async function globalTeardown(): Promise<void> {
  const started = globalThis.__TRAINYARD_STARTED_KAFKA__;
  if (started) await stopLocalKafka(started);
  await globalThis.__TRAINYARD_CONTAINERS__?.stop();
}
