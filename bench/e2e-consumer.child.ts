// The consuming service of e2e.p99, in its own process as it would be in production: a consumer
// group member built by the message bus, reporting each CloudEvent id and when it arrived.
// Started by e2e.bench.ts with fork(); messages are batched to the parent every few milliseconds.
import { createKafkaMessageBus } from '@trainyard/messaging';
import { wallClock } from './bench-harness';

export interface ConsumerChildArgs {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
}

/** Child → parent. `at` is wall-clock milliseconds (wallClock()), `created` the record's CreateTime. */
export type ConsumerChildMessage =
  | { readonly kind: 'ready' }
  | {
      readonly kind: 'consumed';
      readonly events: readonly {
        readonly id: string;
        readonly at: number;
        readonly created: number;
      }[];
    }
  | { readonly kind: 'error'; readonly message: string };

const FLUSH_MS = 2; // only delays when the parent hears of a consumption, not the time recorded for it

async function main(): Promise<void> {
  const send = (message: ConsumerChildMessage): void => {
    process.send?.(message);
  };
  const args = JSON.parse(process.argv[2] ?? '{}') as ConsumerChildArgs;
  const bus = createKafkaMessageBus({
    brokers: args.brokers,
    clientId: `${args.groupId}-consumer`,
  });
  const consumer = bus.consumer({
    groupId: args.groupId,
    topics: [args.topic],
    fromBeginning: true,
  });
  let pending: { id: string; at: number; created: number }[] = [];
  const flush = setInterval(() => {
    if (pending.length === 0) return;
    send({ kind: 'consumed', events: pending });
    pending = [];
  }, FLUSH_MS);
  const stop = async (): Promise<void> => {
    clearInterval(flush);
    await consumer.disconnect().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  await consumer.run(async (message) => {
    pending.push({
      id: message.headers['ce_id'] ?? '',
      at: wallClock(),
      created: Number(message.timestamp),
    });
    return Promise.resolve();
  });
  send({ kind: 'ready' });
}

main().catch((error: unknown) => {
  process.send?.({
    kind: 'error',
    message: error instanceof Error ? error.message : String(error),
  } satisfies ConsumerChildMessage);
  process.exitCode = 1;
});
