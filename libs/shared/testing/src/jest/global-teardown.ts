import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { stopLocalKafka } from '@trainyard/infra';
import { dropDatabase } from './run-database';

export default async function globalTeardown(): Promise<void> {
  const started = globalThis.__TRAINYARD_STARTED_KAFKA__;
  if (started) {
    await stopLocalKafka(started);
    const port = started.broker.split(':').pop() ?? '';
    for (const dir of [`data-${port}`, `logs-${port}`, `owner-${port}`])
      rmSync(join(started.home, dir), { recursive: true, force: true });
  }
  await globalThis.__TRAINYARD_CONTAINERS__?.stop();
  const database = globalThis.__TRAINYARD_RUN_DATABASE__;
  if (database) await dropDatabase(database);
}
