import {
  type Checkpoint,
  checkpointOf,
  compareCheckpoints,
  createEventStore,
  formatCheckpoint,
  migrateEventStore,
  parseCheckpoint,
  type PostgresEventStore,
  type StoredEvent,
} from '@trainyard/event-store';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { toCloudEventMessage, toIntegrationCloudEventMessage } from './cloud-event.encode';
import { createKafkaMessageBus } from './kafkajs-message-bus';
import type { MessageBus, MessageProducer } from './message-bus.port';
import {
  CountingProducer,
  collectTopic,
  freshStreamId,
  testEvent,
  type TopicCollector,
} from './messaging.fixture';
import { migrateMessaging } from './messaging.migrations';
import { OutboxRelay, type IntegrationEventMapping } from './outbox-relay';

const SERVICE = 'planning';
const FAST = {
  backoff: { initialMs: 20, maxMs: 200 },
  lockRetryMs: 50,
  lockKeepAliveMs: 200,
  pollIntervalMs: 100,
};

describe('OutboxRelay', () => {
  let ctx: TestContext;
  let store: PostgresEventStore;
  let bus: MessageBus;
  let producer: MessageProducer;
  const cleanups: (() => Promise<void>)[] = [];
  let lastAppended: Checkpoint = { transactionId: 0n, position: 0n };

  beforeAll(async () => {
    ctx = await createTestContext('outbox_relay');
    await migrateEventStore(ctx.pool, ctx.schema);
    await migrateMessaging(ctx.pool, ctx.schema);
    store = createEventStore(ctx.pool, ctx.schema);
    bus = createKafkaMessageBus({
      brokers: ctx.brokers,
      clientId: 'outbox-relay-test',
      consumerMaxWaitMs: 100,
    });
    producer = bus.producer();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await producer.disconnect();
    await store.close();
    await ctx.dispose();
  });

  async function freshTopic(name: string): Promise<{ topic: string; collector: TopicCollector }> {
    const topic = ctx.topic(name);
    await bus.admin().ensureTopics([{ topic, partitions: 3 }]);
    const collector = await collectTopic(bus, topic, ctx.groupId(name));
    cleanups.push(() => collector.stop());
    return { topic, collector };
  }

  function relay(
    topic: string,
    options: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {},
  ): OutboxRelay {
    const instance = new OutboxRelay({
      pool: ctx.pool,
      store,
      schema: ctx.schema,
      service: SERVICE,
      topic,
      producer,
      ...FAST,
      ...options,
    });
    cleanups.push(() => instance.stop());
    return instance;
  }

  /** Appends `perStream` events to each of `streams` streams, interleaving single and multi-event appends. */
  async function appendAcross(streams: number, perStream: number): Promise<string[]> {
    const ids = Array.from({ length: streams }, () => freshStreamId('release'));
    for (let version = 0; version < perStream;) {
      const count = Math.min(version % 2 === 0 ? 1 : 3, perStream - version);
      for (const streamId of ids) {
        const events = Array.from({ length: count }, (_, i) =>
          testEvent('WorkloadAdded', { streamId, n: version + i + 1 }),
        );
        const result = await store.append(streamId, events);
        const appended = { transactionId: result.transactionId, position: result.lastPosition };
        if (compareCheckpoints(appended, lastAppended) > 0) lastAppended = appended;
      }
      version += count;
    }
    return ids;
  }

  // readAll delivers an event only once every older transaction has ended, so "all events" means
  // up to the newest append, not whatever one read returns.
  async function allStoredEvents(): Promise<StoredEvent[]> {
    const target = lastAppended;
    return waitFor(
      async () => {
        const events: StoredEvent[] = [];
        for (let after: Checkpoint | undefined; ;) {
          const result = await store.readAll({ ...(after ? { after } : {}), batchSize: 1000 });
          events.push(...result.events);
          if (result.isEnd) break;
          after = result.checkpoint;
        }
        const last = events[events.length - 1];
        return last !== undefined && compareCheckpoints(checkpointOf(last), target) >= 0 && events;
      },
      { description: 'every appended event readable' },
    );
  }

  it('publishes every event as a binary-mode CloudEvent keyed by stream id, with the stored trace context, in stream order per key', async () => {
    const { topic, collector } = await freshTopic('all-events');
    // 16 random stream ids over 3 partitions: all on one partition has odds 3 · 3⁻¹⁶ (with 5 streams
    // it was 1 in 81, and it happened).
    await appendAcross(16, 5);
    const stored = await allStoredEvents();
    relay(topic, { batchSize: 7 }).start();

    await waitFor(() => collector.messages.length >= stored.length, {
      description: `${stored.length} messages on ${topic}`,
    });

    expect(collector.messages).toHaveLength(stored.length);
    const byId = new Map(stored.map((event) => [event.metadata.eventId, event]));
    for (const message of collector.messages) {
      const event = byId.get(message.headers['ce_id'] ?? '');
      expect(event).toBeDefined();
      const expected = toCloudEventMessage(event!, SERVICE);
      expect({
        key: message.key,
        value: message.value?.toString('utf8'),
        headers: message.headers,
      }).toEqual({
        key: event!.streamId,
        value: expected.value?.toString('utf8'),
        headers: expected.headers,
      });
      expect(message.headers['traceparent']).toBe(event!.metadata.trace?.traceparent);
      expect(message.headers['tracestate']).toBe(event!.metadata.trace?.tracestate);
    }
    const versionsByKey = new Map<string, number[]>();
    for (const message of collector.messages) {
      const versions = versionsByKey.get(message.key!) ?? [];
      versions.push(Number(message.headers['ce_streamversion']));
      versionsByKey.set(message.key!, versions);
    }
    for (const versions of versionsByKey.values())
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(collector.messages.map((m) => m.partition)).size).toBeGreaterThan(1);

    const { rows } = await ctx.pool.query<{ checkpoint: string }>(
      'SELECT checkpoint FROM relay_checkpoints WHERE name = $1',
      [topic],
    );
    // At or past the last event: at the end of the store the checkpoint moves on to the read frontier.
    expect(
      compareCheckpoints(
        parseCheckpoint(rows[0]!.checkpoint),
        checkpointOf(stored[stored.length - 1]!),
      ),
    ).toBeGreaterThanOrEqual(0);
  });

  it('with a contract mapping, publishes only what it maps, as the integration event (type, version, data, dataschema), and moves its checkpoint past what it keeps internal', async () => {
    const { topic, collector } = await freshTopic('mapped');
    // The contract publishes ReleaseOpened as version 2 with only `n`; ReleaseScored and the other
    // tests' WorkloadAdded stay internal.
    const mapping: IntegrationEventMapping = (event) =>
      event.type === 'ReleaseOpened'
        ? {
            type: 'ReleaseOpened',
            version: 2,
            data: { n: (event.data as { n: number }).n },
            dataschema: 'urn:trainyard:test:events#/components/schemas/ReleaseOpened.v2',
          }
        : undefined;
    const mixed = freshStreamId('release');
    const internalOnly = freshStreamId('release');
    await store.append(mixed, [
      testEvent('ReleaseOpened', { n: 1, secret: 'internal' }),
      testEvent('ReleaseScored', { n: 2 }),
      testEvent('ReleaseOpened', { n: 3, secret: 'internal' }),
    ]);
    const last = await store.append(internalOnly, [
      testEvent('ReleaseScored', { n: 4 }),
      testEvent('ReleaseScored', { n: 5 }),
    ]);
    const stored = (await allStoredEvents()).filter((e) =>
      [mixed, internalOnly].includes(e.streamId),
    );
    const instance = relay(topic, { batchSize: 2, integrationEvents: mapping });
    instance.start();

    await waitFor(
      async () => {
        const { rows } = await ctx.pool.query<{ checkpoint: string }>(
          'SELECT checkpoint FROM relay_checkpoints WHERE name = $1',
          [topic],
        );
        const reached = { transactionId: last.transactionId, position: last.lastPosition };
        return (
          rows[0] !== undefined &&
          compareCheckpoints(parseCheckpoint(rows[0].checkpoint), reached) >= 0
        );
      },
      { description: 'the checkpoint past the internal-only stream' },
    );
    await waitFor(() => collector.messages.length >= 2, { description: 'the mapped events' });
    const expected = stored
      .filter((e) => e.type === 'ReleaseOpened')
      .map((e) => toIntegrationCloudEventMessage(e, mapping(e)!, SERVICE));
    expect(
      collector.messages.map((m) => ({
        key: m.key,
        value: m.value?.toString('utf8'),
        headers: m.headers,
      })),
    ).toEqual(
      expected.map((m) => ({ key: m.key, value: m.value?.toString('utf8'), headers: m.headers })),
    );
    expect(collector.messages.map((m) => m.headers['ce_type'])).toEqual([
      'dev.trainyard.planning.ReleaseOpened.v2',
      'dev.trainyard.planning.ReleaseOpened.v2',
    ]);
    expect(collector.messages.map((m) => JSON.parse(m.value!.toString('utf8')) as unknown)).toEqual(
      [{ n: 1 }, { n: 3 }],
    );
    expect(instance.published).toBe(2);
  });

  it('stopped in the middle of a stream of batches, a new instance resumes from the stored checkpoint and every event arrives', async () => {
    const { topic, collector } = await freshTopic('stop-resume');
    await appendAcross(30, 10);
    const stored = await allStoredEvents();
    const counting = new CountingProducer(producer);
    const first = relay(topic, { batchSize: 5, producer: counting });
    first.start();
    await waitFor(() => counting.sends >= 2, { description: 'two batches published' });
    await first.stop();

    expect(first.published).toBeLessThan(stored.length);
    const { rows } = await ctx.pool.query<{ checkpoint: string }>(
      'SELECT checkpoint FROM relay_checkpoints WHERE name = $1',
      [topic],
    );
    expect(rows[0]?.checkpoint).toBe(formatCheckpoint(first.checkpoint!));

    const second = relay(topic, { batchSize: 50 });
    second.start();
    const expected = stored.map((event) => event.metadata.eventId);
    await waitFor(() => expected.every((id) => collector.ids().has(id)), {
      description: 'every event after the restart',
    });
    // Resumed, not restarted: the second instance did not publish what the first had stored.
    expect(second.published).toBe(stored.length - first.published);
  });

  it('publishes from one instance at a time; when the holder’s connection dies another takes over and every event arrives', async () => {
    const { topic, collector } = await freshTopic('takeover');
    const counting = new CountingProducer(producer);
    const a = relay(topic, {
      batchSize: 5,
      producer: counting,
      backoff: { initialMs: 500, maxMs: 500 },
    });
    a.start();
    await waitFor(() => a.state === 'active', { description: 'relay A active' });
    const b = relay(topic, { batchSize: 5 });
    b.start();

    await appendAcross(30, 10);
    const stored = await allStoredEvents();
    await waitFor(() => counting.sends >= 2, { description: 'A published two batches' });
    expect(b.state).toBe('waiting');
    expect(b.published).toBe(0);

    // A "crash" of the holder as the database sees it: its lock session ends.
    const { rowCount } = await ctx.pool.query(
      `SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1`,
      [`trainyard-relay:${topic}`.slice(0, 63)],
    );
    expect(rowCount).toBe(1);

    await waitFor(() => b.state === 'active', { description: 'relay B took over' });
    const expected = stored.map((event) => event.metadata.eventId);
    await waitFor(() => expected.every((id) => collector.ids().has(id)), {
      description: 'every event after the takeover',
    });
    expect(b.published).toBeGreaterThan(0);
  });
});
