import { execFile } from 'node:child_process';
import { Kafka as CloudEventsKafka, type CloudEvent, type KafkaMessage } from 'cloudevents';
import fc from 'fast-check';
import {
  createEventStore,
  migrateEventStore,
  type PostgresEventStore,
  type StoredEvent,
} from '@trainyard/event-store';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { createKafkaMessageBus } from './kafkajs-message-bus';
import type { MessageBus, MessageProducer } from './message-bus.port';
import { freshStreamId, testEvent } from './messaging.fixture';
import { migrateMessaging } from './messaging.migrations';
import { OutboxRelay } from './outbox-relay';

// What a GRC tool on another client stack sees: the relay's records read by librdkafka (kcat, the
// C client most non-JVM stacks wrap) and decoded by the CloudEvents SDK's Kafka protocol binding,
// which validates every attribute against the CloudEvents 1.0 JSON schema. Nothing of this
// project's messaging code reads them back.

const KCAT = process.env.TRAINYARD_KCAT ?? 'kcat';
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

interface KcatRecord {
  readonly partition: number;
  readonly offset: number;
  readonly ts: number;
  readonly headers?: readonly string[];
  readonly key: string | null;
  readonly payload: string | null;
}

/** Every record of `topic` from the beginning, as kcat's JSON envelope (-J) prints them. */
function kcatRead(brokers: readonly string[], topic: string): Promise<KcatRecord[]> {
  return new Promise((resolve, reject) =>
    execFile(
      KCAT,
      ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-J'],
      { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) =>
        error
          ? reject(
              new Error(
                `${KCAT} failed (Debian's kcat; .ci/run installs it): ${error.message} ${stderr}`,
              ),
            )
          : resolve(
              stdout
                .split('\n')
                .filter((line) => line.trim() !== '')
                .map((line) => JSON.parse(line) as KcatRecord),
            ),
    ),
  );
}

/** kcat prints headers as a flat [name, value, name, value, …] list. */
function headerMap(flat: readonly string[] = []): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) headers[flat[i]!] = flat[i + 1]!;
  return headers;
}

/** JSON data that stresses the value bytes: any Unicode but NUL (jsonb refuses it), nesting, numbers. */
const eventData = fc.record({
  text: fc.string({ unit: 'binary', maxLength: 40 }).map((x) => x.replaceAll('\u0000', '')),
  nested: fc.array(
    fc.dictionary(
      fc.string({ maxLength: 8 }),
      fc.oneof(
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.string({ unit: 'grapheme', maxLength: 12 }),
      ),
    ),
    { maxLength: 4 },
  ),
  amount: fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .map((x) => (Object.is(x, -0) ? 0 : x)),
});

describe('CloudEvents on Kafka as other client stacks read them', () => {
  let ctx: TestContext;
  let store: PostgresEventStore;
  let bus: MessageBus;
  let producer: MessageProducer;
  let relay: OutboxRelay;
  const topic = () => ctx.topic('interop');

  beforeAll(async () => {
    ctx = await createTestContext('cloud_events_interop');
    await migrateEventStore(ctx.pool, ctx.schema);
    await migrateMessaging(ctx.pool, ctx.schema);
    store = createEventStore(ctx.pool, ctx.schema);
    bus = createKafkaMessageBus({ brokers: ctx.brokers, clientId: 'cloud-events-interop' });
    producer = bus.producer();
    await bus.admin().ensureTopics([{ topic: topic(), partitions: 3 }]);
    relay = new OutboxRelay({
      pool: ctx.pool,
      store,
      schema: ctx.schema,
      service: 'planning',
      topic: topic(),
      producer,
      backoff: { initialMs: 20, maxMs: 200 },
      lockRetryMs: 50,
      lockKeepAliveMs: 200,
      pollIntervalMs: 100,
    });
  });

  afterAll(async () => {
    await relay?.stop();
    await producer?.disconnect();
    await store?.close();
    await ctx?.dispose();
  });

  it('kcat reads every event, and the CloudEvents SDK decodes each into a valid 1.0 event equal to the stored one', async () => {
    const samples = fc.sample(eventData, { numRuns: 60, seed: 20261207 });
    const stored: StoredEvent[] = [];
    const streams = [freshStreamId('release'), freshStreamId('release'), freshStreamId('job')];
    for (const [i, data] of samples.entries()) {
      const streamId = streams[i % streams.length]!;
      await store.append(streamId, [testEvent('WorkloadAdded', data)]);
    }
    for (const streamId of streams) stored.push(...(await store.readStream(streamId)));
    relay.start();

    const records = await waitFor(
      async () => {
        const read = await kcatRead(ctx.brokers, topic());
        return read.length >= stored.length ? read : undefined;
      },
      { timeoutMs: 60_000, description: `${stored.length} records read by kcat` },
    );
    expect(records).toHaveLength(stored.length);

    const byId = new Map(stored.map((e) => [e.metadata.eventId, e]));
    for (const record of records) {
      const headers = headerMap(record.headers);
      const message: KafkaMessage<string> = {
        key: record.key ?? '',
        value: record.payload ?? '',
        body: record.payload ?? '',
        headers,
        timestamp: String(record.ts),
      };
      // The binding builds a CloudEvent (the class); its validate() throws on any schema violation.
      const event = CloudEventsKafka.toEvent(message) as CloudEvent<unknown>;
      expect(event.validate()).toBe(true);
      const original = byId.get(event.id);
      if (!original)
        throw new Error(`record ${record.partition}/${record.offset}: unknown id ${event.id}`);
      byId.delete(event.id);
      expect(event.specversion).toBe('1.0');
      expect(event.source).toBe('/trainyard/planning');
      expect(event.type).toBe('dev.trainyard.planning.WorkloadAdded.v1');
      expect(event.subject).toBe(original.streamId);
      expect(record.key).toBe(original.streamId);
      expect(new Date(event.time!).toISOString()).toBe(original.recordedAt.toISOString());
      expect(event.datacontenttype).toBe('application/json');
      expect(event.data).toEqual(original.data);
      expect(event['correlationid']).toBe(original.metadata.correlationId);
      expect(event['streamversion']).toBe(String(original.streamVersion));
      expect(headers['traceparent']).toMatch(TRACEPARENT);
      expect(headers['traceparent']).toBe(original.metadata.trace?.traceparent);
    }
    expect([...byId.keys()]).toEqual([]);
  }, 120_000);
});
