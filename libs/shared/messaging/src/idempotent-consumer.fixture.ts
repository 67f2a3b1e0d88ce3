// The idempotent consumer's integration specs' setup (one message per transaction, and batches):
// a test context with the messaging tables and an `effects` table, a bus and its producer,
// CloudEvents with fresh ids, and per test a consumer on its own topic with its dead-letter topic
// read. Not exported from index.ts.
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { IdempotentConsumer, type IdempotentConsumerOptions } from './idempotent-consumer';
import { createKafkaMessageBus } from './kafkajs-message-bus';
import type { MessageBus, MessageProducer, OutgoingMessage } from './message-bus.port';
import { collectTopic, testCloudEventMessage, type TopicCollector } from './messaging.fixture';
import { DEFAULT_INBOX_RETENTION_DAYS } from './inbox-retention';
import { migrateMessaging } from './messaging.migrations';

/** What a test sets of the consumer under test; the rest is the fixture's. */
export type ConsumerUnderTestOptions = Pick<
  IdempotentConsumerOptions,
  'handler' | 'batchHandler' | 'maxBatchRun' | 'recordInboxFirst' | 'maxAttempts' | 'backoff'
>;

export interface ConsumerUnderTest {
  readonly topic: string;
  readonly groupId: string;
  readonly consumer: IdempotentConsumer;
  readonly dlq: TopicCollector;
}

export class IdempotentConsumerFixture {
  ctx!: TestContext;
  bus!: MessageBus;
  producer!: MessageProducer;
  private readonly cleanups: (() => Promise<void>)[] = [];

  /**
   * The fixture of the enclosing `describe`: its hooks are registered here. Each effect row is
   * `effects (event_id, xid)`, `xid` the id of the transaction that wrote it (by default).
   */
  static use(name: string): IdempotentConsumerFixture {
    const fixture = new IdempotentConsumerFixture();
    beforeAll(async () => {
      const ctx = await createTestContext(name);
      await migrateMessaging(ctx.pool, ctx.schema);
      await ctx.pool.query(
        'CREATE TABLE effects (event_id text NOT NULL, xid text NOT NULL DEFAULT pg_current_xact_id()::text)',
      );
      fixture.ctx = ctx;
      fixture.bus = createKafkaMessageBus({
        brokers: ctx.brokers,
        clientId: `${name}-test`,
        consumerMaxWaitMs: 100,
      });
      fixture.producer = fixture.bus.producer();
    });
    afterEach(async () => {
      for (const cleanup of fixture.cleanups.splice(0).reverse()) await cleanup();
    });
    afterAll(async () => {
      await fixture.producer.disconnect();
      await fixture.ctx.dispose();
    });
    return fixture;
  }

  // Arrow properties, so that a spec may take them apart: `const { cloudEvent, idOf } = fixture`.

  /** A `ReleaseScheduled` CloudEvent with fresh event and correlation ids. */
  readonly cloudEvent = testCloudEventMessage;

  readonly idOf = (message: OutgoingMessage): string => message.headers['ce_id']!;

  /** The ids of the transactions that wrote an effect of the event (one per effect). */
  readonly effects = async (eventId: string): Promise<string[]> => {
    const { rows } = await this.ctx.pool.query<{ xid: string }>(
      'SELECT xid FROM effects WHERE event_id = $1',
      [eventId],
    );
    return rows.map((r) => r.xid);
  };

  /** Runs after the test, before the ones registered earlier. */
  onCleanup(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  /**
   * A consumer (not started) of its own topic `name` and group, 3 attempts 10–40 ms apart unless
   * told otherwise, and a reader of its dead-letter topic; both stopped after the test.
   */
  async consumer(name: string, options: ConsumerUnderTestOptions): Promise<ConsumerUnderTest> {
    const topic = this.ctx.topic(name);
    const groupId = this.ctx.groupId(name);
    await this.ensureTopic(topic);
    const consumer = new IdempotentConsumer({
      pool: this.ctx.pool,
      bus: this.bus,
      schema: this.ctx.schema,
      groupId,
      topics: [topic],
      inboxRetentionDays: DEFAULT_INBOX_RETENTION_DAYS,
      maxAttempts: 3,
      backoff: { initialMs: 10, maxMs: 40 },
      ...options,
    });
    this.onCleanup(() => consumer.stop());
    await this.ensureTopic(consumer.deadLetterTopic);
    const dlq = await collectTopic(
      this.bus,
      consumer.deadLetterTopic,
      this.ctx.groupId(`${name}-dlq`),
    );
    this.onCleanup(() => dlq.stop());
    return { topic, groupId, consumer, dlq };
  }

  /** A broker just started on a loaded machine may answer "does not host this topic-partition" for a while. */
  private ensureTopic(topic: string): Promise<boolean> {
    return waitFor(
      () =>
        this.bus
          .admin()
          .ensureTopics([{ topic, partitions: 1 }])
          .then(() => true)
          .catch(() => false),
      { description: `topic ${topic} created`, timeoutMs: 60_000, intervalMs: 250 },
    );
  }
}
