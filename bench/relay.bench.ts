import { performance } from 'node:perf_hooks';
import type { Message } from 'kafkajs';
import type { Checkpoint } from '@trainyard/event-store';
import { OutboxRelay, migrateMessaging, toCloudEventMessage } from '@trainyard/messaging';
import { seedEvents } from './bench-events';
import {
  compareRounds,
  measureWindow,
  row,
  sleep,
  type BenchArea,
  type BenchContext,
  type BenchResult,
} from './bench-harness';
import { withBenchStore, type BenchStore } from './bench-store';

export const BENCH_SERVICE = 'planning';
const BATCH = 500; // the relay's default batch size
const PARTITIONS = 6;

/** The stored events' Kafka messages, exactly as the relay maps them, in batches of BATCH. */
async function storedMessages(bench: BenchStore, count: number): Promise<Message[][]> {
  const batches: Message[][] = [];
  let after: Checkpoint | undefined;
  while (batches.length * BATCH < count) {
    const result = await bench.store.readAll({ ...(after ? { after } : {}), batchSize: BATCH });
    if (result.events.length === 0) break;
    batches.push(
      result.events.map((event) => {
        const message = toCloudEventMessage(event, BENCH_SERVICE);
        return { key: message.key, value: message.value, headers: { ...message.headers } };
      }),
    );
    after = result.checkpoint;
  }
  return batches;
}

/** kafkajs's idempotent producer sending the same batches back to back, acks from all replicas. */
async function rawPublisher(
  ctx: BenchContext,
  bench: BenchStore,
): Promise<{ measure: () => Promise<number>; close: () => Promise<void> }> {
  const batches = await storedMessages(bench, 40 * BATCH);
  const topic = await ctx.topic('relay-raw', PARTITIONS);
  const producer = await ctx.rawProducer();
  let next = 0;
  return {
    measure: () =>
      measureWindow(ctx.sizes, 1, async () => {
        const messages = batches[next++ % batches.length]!;
        await producer.send({ topic, acks: -1, messages });
        return messages.length;
      }),
    close: () => producer.disconnect(),
  };
}

/**
 * The relay publishing the stored backlog: events acknowledged by Kafka per second over the
 * window. Each round starts the relay (it resumes from its stored checkpoint) and stops it after.
 */
async function relayPublisher(
  ctx: BenchContext,
  bench: BenchStore,
): Promise<{ measure: () => Promise<number>; close: () => Promise<void> }> {
  const topic = await ctx.topic('relay', PARTITIONS);
  const producer = ctx.bus.producer();
  const options = {
    pool: bench.pool,
    store: bench.store,
    schema: bench.schema,
    service: BENCH_SERVICE,
    topic,
    producer,
    batchSize: BATCH,
  };
  let publishedBefore = 0;
  return {
    measure: async () => {
      const relay = new OutboxRelay(options);
      relay.start();
      try {
        await sleep(ctx.sizes.warmupMs);
        if (relay.published === 0)
          throw new Error(
            `relay.kafka: nothing published in the ${ctx.sizes.warmupMs} ms warm-up (state ${relay.state})`,
          );
        const start = performance.now();
        const before = relay.published;
        await sleep(ctx.sizes.windowMs);
        const published = relay.published - before;
        const seconds = (performance.now() - start) / 1000;
        publishedBefore += relay.published;
        if (publishedBefore >= ctx.sizes.relayBacklog) {
          ctx.log(
            `  relay.kafka: the relay reached the end of the ${ctx.sizes.relayBacklog} backlog inside the window: the figure is a lower bound`,
          );
        }
        return published / seconds;
      } finally {
        await relay.stop();
      }
    },
    close: () => producer.disconnect(),
  };
}

async function relayKafka(ctx: BenchContext): Promise<BenchResult> {
  return withBenchStore(ctx, 'relay', 2, async (bench) => {
    await migrateMessaging(bench.pool, bench.schema);
    const seeded = performance.now();
    await seedEvents(bench.pool, bench.schema, ctx.sizes.relayBacklog);
    ctx.log(
      `  seeded ${ctx.sizes.relayBacklog.toLocaleString('en')} events in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
    );
    const raw = await rawPublisher(ctx, bench);
    const relay = await relayPublisher(ctx, bench);
    try {
      const { baseline, value } = await compareRounds(
        ctx,
        'relay.kafka',
        raw.measure,
        relay.measure,
      );
      return row('relay.kafka', 'events/s', value, baseline);
    } finally {
      await raw.close();
      await relay.close();
    }
  });
}

export const relayBenches: BenchArea = {
  area: 'relay',
  rows: ['relay.kafka'],
  async run(ctx, only, emit) {
    if (only('relay.kafka')) emit(await relayKafka(ctx));
  },
};
