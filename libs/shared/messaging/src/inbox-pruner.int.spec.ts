import type { PoolClient } from 'pg';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import type { ParsedCloudEvent } from './cloud-event.parse';
import { IdempotentConsumer } from './idempotent-consumer';
import { DEFAULT_INBOX_RETENTION_DAYS } from './inbox-retention';
import { InboxPruner, pruneInbox } from './inbox-pruner';
import { createKafkaMessageBus } from './kafkajs-message-bus';
import type { MessageBus, MessageProducer } from './message-bus.port';
import { testCloudEventMessage } from './messaging.fixture';
import { migrateMessaging } from './messaging.migrations';

// The inbox pruned by age on PostgreSQL (and Kafka for the dedupe): rows handled within the window
// keep deduplicating redeliveries, older ones go in bounded batches that skip locked rows, and a
// redelivery past the window is handled again (why the window must exceed the topic's retention).

let ctx: TestContext;
let bus: MessageBus;
let producer: MessageProducer;

const inboxIds = async (group?: string) =>
  (
    await ctx.pool.query<{ id: string }>(
      `SELECT event_id AS id FROM inbox WHERE $1::text IS NULL OR consumer_group = $1 ORDER BY 1`,
      [group ?? null],
    )
  ).rows.map((r) => r.id);

/** `count` rows of `group` handled `days` ago (ids `<prefix>-<n>`). */
const handledDaysAgo = (group: string, prefix: string, count: number, days: number) =>
  ctx.pool.query(
    `INSERT INTO inbox (consumer_group, event_id, handled_at)
     SELECT $1, $2 || '-' || g, now() - $3::int * interval '1 day' - g * interval '1 second'
       FROM generate_series(1, $4::int) g`,
    [group, prefix, days, count],
  );

beforeAll(async () => {
  ctx = await createTestContext('inbox_pruner');
  await migrateMessaging(ctx.pool, ctx.schema);
  await ctx.pool.query('CREATE TABLE effects (event_id text NOT NULL)');
  bus = createKafkaMessageBus({
    brokers: ctx.brokers,
    clientId: 'inbox-pruner-test',
    consumerMaxWaitMs: 100,
  });
  producer = bus.producer();
});

afterAll(async () => {
  await producer.disconnect();
  await ctx.dispose();
});

beforeEach(() => ctx.pool.query('TRUNCATE inbox, effects'));

describe('pruneInbox', () => {
  it('deletes only rows past the window, of every group, in batches of at most batchSize', async () => {
    await handledDaysAgo('scheduling.planning-events', 'old', 1050, 20);
    await handledDaysAgo('reactor:release', 'old-reactor', 30, 15);
    await handledDaysAgo('scheduling.planning-events', 'young', 40, 13);
    await handledDaysAgo('reactor:release', 'fresh', 5, 0);

    const result = await pruneInbox(ctx.pool, ctx.schema, { retentionDays: 14, batchSize: 100 });

    expect(result).toEqual({ deleted: 1080, batches: 11 });
    const left = await inboxIds();
    expect(left).toHaveLength(45);
    expect(left.every((id) => /^(young|fresh)-/.test(id))).toBe(true);
    expect(await pruneInbox(ctx.pool, ctx.schema, { retentionDays: 14 })).toEqual({
      deleted: 0,
      batches: 1,
    });
  });

  it('skips a row another transaction holds, without waiting for it', async () => {
    await handledDaysAgo('g', 'old', 3, 30);
    const holder: PoolClient = await ctx.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM inbox WHERE event_id = 'old-2' FOR UPDATE`);
      // Would block on old-2 without SKIP LOCKED (the test would time out).
      expect(await pruneInbox(ctx.pool, ctx.schema, { retentionDays: 14 })).toMatchObject({
        deleted: 2,
      });
      expect(await inboxIds()).toEqual(['old-2']);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect(await pruneInbox(ctx.pool, ctx.schema, { retentionDays: 14 })).toMatchObject({
      deleted: 1,
    });
  });

  it('refuses a window under one day', async () => {
    await expect(pruneInbox(ctx.pool, ctx.schema, { retentionDays: 0 })).rejects.toThrow(
      /retentionDays/,
    );
  });

  it('reads the old rows through inbox_handled_at_idx', async () => {
    await handledDaysAgo('g', 'young', 50_000, 1);
    await handledDaysAgo('g', 'old', 200, 30);
    await ctx.pool.query('ANALYZE inbox');
    const { rows } = await ctx.pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT consumer_group, event_id FROM inbox
        WHERE handled_at < now() - 14 * interval '1 day' ORDER BY handled_at LIMIT 1000`,
    );
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Index Scan using inbox_handled_at_idx/);
    expect(plan).not.toMatch(/Seq Scan/);
  });
});

describe('InboxPruner with an IdempotentConsumer', () => {
  const cloudEvent = () => testCloudEventMessage('release-1', {});
  const effects = async (eventId: string) =>
    (
      await ctx.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM effects WHERE event_id = $1',
        [eventId],
      )
    ).rows[0]!.n;

  it('keeps deduplicating within the window; past it a redelivery is handled again', async () => {
    const topic = ctx.topic('pruned');
    const groupId = ctx.groupId('pruned');
    await bus.admin().ensureTopics([{ topic, partitions: 1 }]);
    const consumer = new IdempotentConsumer({
      pool: ctx.pool,
      bus,
      schema: ctx.schema,
      groupId,
      topics: [topic],
      inboxRetentionDays: DEFAULT_INBOX_RETENTION_DAYS,
      handler: async (event: ParsedCloudEvent, tx) => {
        await tx.query('INSERT INTO effects (event_id) VALUES ($1)', [event.id]);
      },
    });
    const pruner = new InboxPruner({
      pool: ctx.pool,
      schema: ctx.schema,
      retentionDays: 14,
      intervalMs: 50,
      batchSize: 10,
    });
    try {
      const [kept, expired] = [cloudEvent(), cloudEvent()];
      const [keptId, expiredId] = [kept.headers['ce_id']!, expired.headers['ce_id']!];
      await producer.send(topic, [kept, expired]);
      await consumer.start();
      await waitFor(async () => (await inboxIds(groupId)).length === 2, {
        description: 'both messages handled',
      });
      // One row ages past the window; the pruner, on its timer, removes it and only it.
      await handledDaysAgo(groupId, 'aged', 25, 30);
      await ctx.pool.query(
        `UPDATE inbox SET handled_at = now() - interval '15 days' WHERE event_id = $1`,
        [expiredId],
      );
      pruner.start();
      await waitFor(async () => (await inboxIds(groupId)).length === 1, {
        description: 'the aged rows pruned',
      });
      expect(await inboxIds(groupId)).toEqual([keptId]);

      // Redelivered (as after an offset reset): the young one is still a duplicate, the pruned
      // one is handled a second time. The marker after them tells when both were consumed.
      const marker = cloudEvent();
      await producer.send(topic, [kept, expired, marker]);
      await waitFor(async () => (await effects(marker.headers['ce_id']!)) === 1, {
        description: 'the redeliveries consumed',
      });
      expect(await effects(keptId)).toBe(1);
      expect(await effects(expiredId)).toBe(2);
    } finally {
      await pruner.stop();
      await consumer.stop();
    }
  });
});

describe('the inbox window against the consumed topics’ retention', () => {
  it("reads each existing topic's effective retention.ms, segment.ms and cleanup.policy", async () => {
    const [short, compacted] = [ctx.topic('retention-short'), ctx.topic('retention-compacted')];
    await bus.admin().ensureTopics([
      {
        topic: short,
        partitions: 1,
        config: { 'retention.ms': '86400000', 'segment.ms': '3600000' },
      },
      { topic: compacted, partitions: 1, config: { 'cleanup.policy': 'compact' } },
    ]);
    const retention = await bus
      .admin()
      .topicRetention([short, compacted, ctx.topic('retention-missing')]);
    expect(retention.sort((a, b) => a.topic.localeCompare(b.topic))).toEqual(
      [
        { topic: short, retentionMs: 86_400_000, segmentMs: 3_600_000, cleanupPolicy: 'delete' },
        {
          topic: compacted,
          retentionMs: 604_800_000,
          segmentMs: 604_800_000,
          cleanupPolicy: 'compact',
        },
      ].sort((a, b) => a.topic.localeCompare(b.topic)),
    );
  });

  it('warns at start, naming the topic, when a consumed topic keeps messages longer than the inbox', async () => {
    const [forever, weekly] = [ctx.topic('retention-forever'), ctx.topic('retention-weekly')];
    await bus.admin().ensureTopics([
      { topic: forever, partitions: 1, config: { 'retention.ms': '-1' } },
      { topic: weekly, partitions: 1 },
    ]);
    const warnings: Record<string, unknown>[] = [];
    const consumer = new IdempotentConsumer({
      pool: ctx.pool,
      bus,
      schema: ctx.schema,
      groupId: ctx.groupId('retention'),
      topics: [forever, weekly],
      inboxRetentionDays: DEFAULT_INBOX_RETENTION_DAYS,
      handler: () => Promise.resolve(),
      logger: {
        warn: (context) => warnings.push(context),
        error: () => undefined,
        info: () => undefined,
        debug: () => undefined,
      },
    });
    try {
      await consumer.start();
    } finally {
      await consumer.stop();
    }
    const problems = warnings.map((w) => w['problem'] ?? w['error']);
    expect(problems).toEqual([
      `${forever} keeps messages for good (retention.ms=-1); the inbox remembers a handled event for 14 days (MESSAGING_INBOX_RETENTION_DAYS)`,
    ]);
  });
});
