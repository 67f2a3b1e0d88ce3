import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Message, Producer } from 'kafkajs';
import { waitFor } from '@trainyard/testing';
import { OutboxRelay, migrateMessaging, toCloudEventMessage } from '@trainyard/messaging';
import { benchEvent } from './bench-events';
import {
  percentile,
  row,
  sleep,
  wallClock,
  type BenchArea,
  type BenchContext,
  type BenchResult,
} from './bench-harness';
import { withBenchStore } from './bench-store';
import type { ConsumerChildArgs, ConsumerChildMessage } from './e2e-consumer.child';
import { BENCH_SERVICE } from './relay.bench';

const PARTITIONS = 3;
const STREAMS = 256; // each stream gets an event every half second at 500/s: no two appends race for one

interface Trip {
  readonly measured: boolean;
  /** Wall-clock ms when the producing side was done: the append's commit returned, or the raw send was called. */
  startedAt?: number;
  /** Wall-clock ms when the consumer process received it, and the record's CreateTime. */
  consumedAt?: number;
  createdAt?: number;
}

interface ConsumerProcess {
  readonly ready: Promise<void>;
  readonly failed: Promise<never>;
  stop(): Promise<void>;
}

/** Forks the consumer group member (e2e-consumer.child.ts) and feeds its reports to `onConsumed`. */
function startConsumer(
  ctx: BenchContext,
  label: string,
  topic: string,
  onConsumed: (id: string, at: number, created: number) => void,
): ConsumerProcess {
  const args: ConsumerChildArgs = {
    brokers: ctx.brokers,
    topic,
    groupId: `trainyard.bench.${label}.${ctx.runId}`,
  };
  const child = fork(join(__dirname, 'e2e-consumer.child.ts'), [JSON.stringify(args)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let fail!: (error: Error) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  child.on('message', (message: ConsumerChildMessage) => {
    if (message.kind === 'ready') markReady();
    else if (message.kind === 'error') fail(new Error(`${label} consumer: ${message.message}`));
    else for (const event of message.events) onConsumed(event.id, event.at, event.created);
  });
  void exit.then((code) => fail(new Error(`${label} consumer exited with ${code}`)));
  return {
    ready,
    failed,
    stop: async () => {
      if (exited) return;
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/**
 * Latencies of one produce-and-consume path at a steady rate. `send(id)` starts one event with
 * CloudEvents id `id` and resolves with the wall-clock time its latency counts from; a consumer
 * group member in another process stops the clock. Warm-up events (and the probes that wait for
 * the group to be assigned) are left out of the percentile.
 */
async function steadyRateLatencies(
  ctx: BenchContext,
  label: string,
  topic: string,
  send: (id: string, n: number) => Promise<number>,
): Promise<number[]> {
  const trips = new Map<string, Trip>();
  let failure: Error | undefined;
  const consumer = startConsumer(ctx, label, topic, (id, at, created) => {
    const trip = trips.get(id);
    if (trip && trip.consumedAt === undefined) {
      trip.consumedAt = at;
      trip.createdAt = created;
    }
  });
  consumer.failed.catch((error: Error) => (failure ??= error));
  const fire = (id: string, n: number, measured: boolean): void => {
    const trip: Trip = { measured };
    trips.set(id, trip);
    send(id, n).then(
      (at) => (trip.startedAt = at),
      (error: unknown) => (failure ??= error instanceof Error ? error : new Error(String(error))),
    );
  };
  try {
    await Promise.race([consumer.ready, consumer.failed]);
    // The group is assigned its partitions only after the broker's initial rebalance delay.
    let probes = 0;
    await waitFor(
      () => {
        if (failure) throw failure;
        fire(`probe-${label}-${probes}`, probes, false);
        probes++;
        return [...trips.values()].some((t) => t.consumedAt !== undefined);
      },
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: `the ${label} consumer group to receive a probe`,
      },
    );
    const cpuBefore = process.cpuUsage();
    const warmupEnds = performance.now() + ctx.sizes.warmupMs;
    const ends = warmupEnds + ctx.sizes.e2eMs;
    const started = performance.now();
    let issued = 0;
    while (performance.now() < ends && !failure) {
      const due = Math.floor(((performance.now() - started) / 1000) * ctx.sizes.e2eRate);
      for (; issued < due; issued++)
        fire(`${label}-${ctx.runId}-${issued}`, issued, performance.now() >= warmupEnds);
      await sleep(1);
    }
    const cpu = process.cpuUsage(cpuBefore);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - started);
    const measured = [...trips.values()].filter((t) => t.measured);
    await waitFor(
      () =>
        failure ?? measured.every((t) => t.consumedAt !== undefined && t.startedAt !== undefined),
      {
        timeoutMs: 30_000,
        description: `every ${label} event to be consumed`,
      },
    );
    if (failure) throw failure;
    const achieved = measured.length / (ctx.sizes.e2eMs / 1000);
    const toKafka = measured.map((t) => t.createdAt! - t.startedAt!);
    const fromKafka = measured.map((t) => t.consumedAt! - t.createdAt!);
    const p = (values: number[]) =>
      `p50 ${percentile(values, 50).toFixed(1)} / p99 ${percentile(values, 99).toFixed(1)} ms`;
    ctx.log(
      `  ${label}: ${measured.length} events (${achieved.toFixed(0)}/s): ${p(latencies(measured))}; ` +
        `until the record's CreateTime ${p(toKafka)}, from it to the consumer ${p(fromKafka)}; ` +
        `this process used ${(cpuShare * 100).toFixed(0)}% of a core, load average ${loadavg()[0]?.toFixed(1)}`,
    );
    return latencies(measured);
  } finally {
    await consumer.stop();
  }
}

function latencies(trips: readonly Trip[]): number[] {
  return trips.map((t) => t.consumedAt! - t.startedAt!);
}

/**
 * Sends with kafkajs's idempotent producer (acks from all replicas, one request in flight), each
 * send carrying every message queued while the previous one was in flight: the best that producer
 * allows at a steady rate (one send() per message would queue requests behind each other), and
 * the way the relay batches what accumulated while it was publishing.
 */
class CoalescingSender {
  private queue: { message: Message; sent: () => void; failed: (error: unknown) => void }[] = [];
  private sending = false;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  send(message: Message): Promise<void> {
    return new Promise((sent, failed) => {
      this.queue.push({ message, sent, failed });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.producer.send({
          topic: this.topic,
          acks: -1,
          messages: batch.map((b) => b.message),
        });
        for (const b of batch) b.sent();
      } catch (error) {
        for (const b of batch) b.failed(error);
      }
    }
    this.sending = false;
  }
}

/** The raw path: the same CloudEvents messages straight to Kafka, no database. */
async function rawP99(ctx: BenchContext): Promise<number> {
  const topic = await ctx.topic('e2e-raw', PARTITIONS);
  const producer = await ctx.rawProducer();
  const sender = new CoalescingSender(producer, topic);
  try {
    const values = await steadyRateLatencies(ctx, 'e2e-raw', topic, async (id, n) => {
      const event = benchEvent(n);
      const message = toCloudEventMessage(
        {
          position: BigInt(n + 1),
          transactionId: BigInt(n + 1),
          streamId: `workload-${n % STREAMS}`,
          streamVersion: Math.floor(n / STREAMS) + 1,
          type: event.type,
          schemaVersion: 1,
          data: event.data,
          metadata: { ...event.metadata, eventId: id },
          recordedAt: new Date(),
        },
        BENCH_SERVICE,
      );
      const producedAt = wallClock();
      await sender.send({
        key: message.key,
        value: message.value,
        headers: { ...message.headers },
      });
      return producedAt;
    });
    return percentile(values, 99);
  } finally {
    await producer.disconnect();
  }
}

/** The outbox path: append (sealer running) → relay → Kafka → consumer group. */
async function outboxP99(ctx: BenchContext): Promise<number> {
  return withBenchStore(ctx, 'e2e', 16, async (bench) => {
    await migrateMessaging(bench.pool, bench.schema);
    const topic = await ctx.topic('e2e', PARTITIONS);
    const producer = ctx.bus.producer();
    const relay = new OutboxRelay({
      pool: bench.pool,
      store: bench.store,
      schema: bench.schema,
      service: BENCH_SERVICE,
      topic,
      producer,
    });
    relay.start();
    try {
      const values = await bench.sealing(() =>
        steadyRateLatencies(ctx, 'e2e', topic, async (id, n) => {
          const event = benchEvent(n);
          await bench.store.append(`workload-${ctx.runId}-${n % STREAMS}`, [
            { ...event, metadata: { ...event.metadata, eventId: id } },
          ]);
          return wallClock();
        }),
      );
      return percentile(values, 99);
    } finally {
      await relay.stop();
      await producer.disconnect();
    }
  });
}

async function e2e(ctx: BenchContext): Promise<BenchResult> {
  const baseline = await rawP99(ctx);
  const value = await outboxP99(ctx);
  return row('e2e.p99', 'ms', value, baseline);
}

export const e2eBenches: BenchArea = {
  area: 'e2e',
  rows: ['e2e.p99'],
  async run(ctx, only, emit) {
    if (only('e2e.p99')) emit(await e2e(ctx));
  },
};
