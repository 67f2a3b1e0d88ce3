import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compareCheckpoints,
  createEventStore,
  migrateEventStore,
  parseCheckpoint,
  type Checkpoint,
  type PostgresEventStore,
} from '@trainyard/event-store';
import { freePortPair, startLocalKafka, stopLocalKafka } from '@trainyard/infra';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { createKafkaMessageBus } from './kafkajs-message-bus';
import type { MessageBus, MessageProducer } from './message-bus.port';
import { collectTopic, freshStreamId, recordingLogger, testEvent } from './messaging.fixture';
import { migrateMessaging } from './messaging.migrations';
import { OutboxRelay } from './outbox-relay';

// The suite's broker serves every other test file, so the outage is staged on a second,
// private broker that this file starts, stops and starts again.
// On a free port pair: concurrent runs (other checkouts, CI) stage their own outages.
let BROKER: string;
let CONTROLLER_PORT: number;

describe('OutboxRelay across a broker outage', () => {
  let ctx: TestContext;
  let home: string;
  let store: PostgresEventStore;
  let bus: MessageBus;
  let producer: MessageProducer;
  let relay: OutboxRelay | undefined;
  let lastAppended: Checkpoint = { transactionId: 0n, position: 0n };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'trainyard-kafka-outage-'));
    const port = await freePortPair();
    BROKER = `127.0.0.1:${port}`;
    CONTROLLER_PORT = port + 1;
    ctx = await createTestContext('relay_broker_outage');
    await migrateEventStore(ctx.pool, ctx.schema);
    await migrateMessaging(ctx.pool, ctx.schema);
    store = createEventStore(ctx.pool, ctx.schema);
    await startPrivateBroker();
    bus = createKafkaMessageBus({
      brokers: [BROKER],
      clientId: 'relay-outage-test',
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 5_000,
      retry: { retries: 1, initialRetryTimeMs: 100, maxRetryTimeMs: 300 },
      consumerMaxWaitMs: 100,
    });
    producer = bus.producer();
  }, 120_000);

  afterAll(async () => {
    await relay?.stop();
    await producer?.disconnect().catch(() => undefined);
    await stopLocalKafka({ broker: BROKER, home });
    rmSync(home, { recursive: true, force: true });
    await store?.close();
    await ctx?.dispose();
  }, 60_000);

  /** Ours alone: a broker already answering there would never go down, so that fails the test at once. */
  async function startPrivateBroker(): Promise<void> {
    let result;
    try {
      result = await startLocalKafka({ broker: BROKER, controllerPort: CONTROLLER_PORT, home });
    } catch (error) {
      // The home folder goes with the test: keep the broker's own account of the failure.
      const log = join(home, 'logs', 'server.log');
      const tail = existsSync(log)
        ? readFileSync(log, 'utf8').split('\n').slice(-40).join('\n')
        : '(no server.log)';
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tail}`);
    }
    if (!result.started)
      throw new Error(`a broker not started by this test already answers on ${BROKER}`);
  }

  async function append(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const event = testEvent('DeploymentWindowBooked', { n: i });
      ids.push(event.metadata.eventId);
      const result = await store.append(freshStreamId('window'), [event]);
      lastAppended = { transactionId: result.transactionId, position: result.lastPosition };
    }
    return ids;
  }

  async function storedCheckpoint(topic: string): Promise<string | undefined> {
    const { rows } = await ctx.pool.query<{ checkpoint: string }>(
      'SELECT checkpoint FROM relay_checkpoints WHERE name = $1',
      [topic],
    );
    return rows[0]?.checkpoint;
  }

  it('keeps retrying without moving its checkpoint while the broker is down, and delivers every event once it is back', async () => {
    const topic = ctx.topic('outage');
    await bus.admin().ensureTopics([{ topic, partitions: 3 }]);
    const logger = recordingLogger();
    relay = new OutboxRelay({
      pool: ctx.pool,
      store,
      schema: ctx.schema,
      service: 'scheduling',
      topic,
      producer,
      logger,
      batchSize: 10,
      backoff: { initialMs: 100, maxMs: 500 },
      lockRetryMs: 50,
      pollIntervalMs: 100,
    });
    relay.start();

    const before = await append(20);
    // Settled: the checkpoint covers the last event, so nothing is in flight when the broker stops.
    const checkpointBefore = await waitFor(
      async () => {
        const stored = await storedCheckpoint(topic);
        return (
          stored !== undefined &&
          compareCheckpoints(parseCheckpoint(stored), lastAppended) >= 0 &&
          stored
        );
      },
      { description: 'events published before the outage' },
    );

    expect(await stopLocalKafka({ broker: BROKER, home })).toBe(true);
    const during = await append(20);
    await waitFor(
      () =>
        logger.entries.filter((e) => e.message.startsWith('outbox relay publish failed')).length >=
        2,
      {
        description: 'failed publish attempts during the outage',
        timeoutMs: 20_000,
      },
    );
    expect(await storedCheckpoint(topic)).toBe(checkpointBefore);

    await startPrivateBroker();
    const collector = await collectTopic(bus, topic, ctx.groupId('outage-check'));
    try {
      const all = [...before, ...during];
      await waitFor(() => all.every((id) => collector.ids().has(id)), {
        description: 'every event on the topic after the outage',
        timeoutMs: 30_000,
      });
    } finally {
      await collector.stop();
    }
    expect(await storedCheckpoint(topic)).not.toBe(checkpointBefore);
  }, 90_000);
});
