import type { PoolClient } from 'pg';
import { waitFor } from '@trainyard/testing';
import { DLQ_HEADERS, IdempotentConsumer } from './idempotent-consumer';
import { DEFAULT_INBOX_RETENTION_DAYS } from './inbox-retention';
import { IdempotentConsumerFixture } from './idempotent-consumer.fixture';
import type { IdempotentBatchHandler, InboxEvent } from './inbox-batch';
import type { OutgoingMessage } from './message-bus.port';

// The batch path (issue 13's consumer throughput): one transaction per fetched batch, with the
// same guarantees as one message per transaction.
describe('IdempotentConsumer with a batch handler', () => {
  const f = IdempotentConsumerFixture.use('idempotent_batch');
  const { cloudEvent, idOf, effects } = f;
  const setUp = (
    name: string,
    batchHandler: IdempotentBatchHandler,
    maxAttempts = 3,
    recordInboxFirst = false,
  ) => f.consumer(name, { batchHandler, maxAttempts, recordInboxFirst });
  /** The inbox: lookup before the handler and insert after it, or one insert before the handler. */
  const inboxOrders = [
    ['looked up, recorded after the handler', false],
    ['recorded before the handler', true],
  ] as const;

  const common = () => ({
    pool: f.ctx.pool,
    bus: f.bus,
    schema: f.ctx.schema,
    groupId: 'g',
    topics: ['t'],
    inboxRetentionDays: DEFAULT_INBOX_RETENTION_DAYS,
  });

  /** Records each event with the id of the transaction that wrote it: one multi-row INSERT. */
  const recordEffects = async (items: readonly InboxEvent[], tx: PoolClient): Promise<void> => {
    await tx.query(
      'INSERT INTO effects (event_id, xid) SELECT unnest($1::text[]), pg_current_xact_id()::text',
      [items.map((i) => i.event.id)],
    );
  };

  it('records a fetched batch in one transaction, before which the handler has written nothing', async () => {
    const unassigned: boolean[] = [];
    const { topic, consumer } = await setUp('one-tx', async (items, tx) => {
      // Reads before the first write keep the event store's commit-safe order (ADR 0003).
      const { rows } = await tx.query<{ xid: string | null }>(
        'SELECT pg_current_xact_id_if_assigned()::text AS xid',
      );
      unassigned.push(rows[0]?.xid === null);
      await recordEffects(items, tx);
    });
    const messages = Array.from({ length: 20 }, (_, i) => cloudEvent(`release-${i}`, { i }));
    await f.producer.send(topic, messages);
    await consumer.start();

    await waitFor(() => consumer.stats.handled === 20, { description: 'all 20 handled' });
    const xids = new Set((await Promise.all(messages.map((m) => effects(idOf(m))))).flat());
    // Sent in one request before the consumer started: fewer transactions than messages.
    expect(xids.size).toBeLessThan(20);
    expect(unassigned.every(Boolean)).toBe(true);
    expect(consumer.stats).toMatchObject({ handled: 20, duplicates: 0, failedAttempts: 0 });
  });

  it('with maxBatchRun, commits a fetched batch in runs of at most that many events, in order', async () => {
    const runs: number[][] = [];
    const { topic, consumer } = await f.consumer('max-run', {
      maxBatchRun: 3,
      batchHandler: async (items, tx) => {
        runs.push(items.map((i) => (i.event.data as { i: number }).i));
        await recordEffects(items, tx);
      },
    });
    const messages = Array.from({ length: 10 }, (_, i) => cloudEvent('release-m', { i }));
    await f.producer.send(topic, messages);
    await consumer.start();

    await waitFor(() => consumer.stats.handled === 10, { description: 'all 10 handled' });
    expect(Math.max(...runs.map((r) => r.length))).toBeLessThanOrEqual(3);
    expect(runs.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const m of messages) expect(await effects(idOf(m))).toHaveLength(1);
    expect(() => new IdempotentConsumer({ ...common(), maxBatchRun: 0 })).toThrow(/maxBatchRun/);
  });

  it.each(inboxOrders)(
    'inbox %s: does not record a redelivered batch twice, nor an event repeated within a batch',
    async (_order, first) => {
      const { topic, consumer } = await setUp(`redelivered-${first}`, recordEffects, 3, first);
      const [a, b, c, d] = [1, 2, 3, 4].map((n) => cloudEvent(`release-r${n}`, { n })) as [
        OutgoingMessage,
        OutgoingMessage,
        OutgoingMessage,
        OutgoingMessage,
      ];
      await f.producer.send(topic, [a, a, b, c]);
      await consumer.start();
      await waitFor(() => consumer.stats.handled === 3, { description: 'a, b and c handled' });

      // The same batch again (as after a crash before the offsets were committed), then a new event.
      await f.producer.send(topic, [a, b, c, d]);
      await waitFor(() => consumer.stats.handled === 4, { description: 'd handled' });
      for (const m of [a, b, c, d]) expect(await effects(idOf(m))).toHaveLength(1);
      expect(consumer.stats).toMatchObject({ handled: 4, duplicates: 4, deadLettered: 0 });
    },
  );

  it.each(inboxOrders)(
    'inbox %s: dead-letters a poison message of a batch alone: the others are recorded once each',
    async (_order, first) => {
      const runs = new Map<string, number>();
      const handler: IdempotentBatchHandler = async (items, tx) => {
        for (const { event } of items) runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
        // The batch's effects are written before the poison throws: they must roll back.
        await recordEffects(items, tx);
        if (items.some((i) => (i.event.data as { poison?: boolean }).poison))
          throw new Error('the release calendar rejected the date');
      };
      const { topic, groupId, consumer, dlq } = await setUp(`poison-${first}`, handler, 3, first);
      const before = cloudEvent('release-p', { n: 1 });
      const poison = cloudEvent('release-p', { n: 2, poison: true });
      const after = [3, 4, 5].map((n) => cloudEvent('release-p', { n }));
      await f.producer.send(topic, [before, poison, ...after]);
      await consumer.start();

      await waitFor(() => dlq.messages.length === 1, { description: 'the poison in the DLQ' });
      await waitFor(() => consumer.stats.handled === 4, { description: 'the other four handled' });
      for (const m of [before, ...after]) expect(await effects(idOf(m))).toHaveLength(1);
      expect(await effects(idOf(poison))).toHaveLength(0);
      expect(dlq.messages[0]!.headers).toMatchObject({
        [DLQ_HEADERS.error]: 'the release calendar rejected the date',
        [DLQ_HEADERS.attempts]: '3',
        [DLQ_HEADERS.originalOffset]: '1',
      });
      // Once in the failed batch, then its three attempts alone.
      expect(runs.get(idOf(poison))).toBe(4);
      expect(consumer.stats).toMatchObject({ handled: 4, deadLettered: 1 });
      // Its inbox row rolled back with its effects: only the handled four are recorded.
      const { rows } = await f.ctx.pool.query<{ event_id: string }>(
        'SELECT event_id FROM inbox WHERE consumer_group = $1',
        [groupId],
      );
      expect(rows.map((r) => r.event_id).sort()).toEqual([before, ...after].map(idOf).sort());
    },
  );

  it('with recordInboxFirst, the handler runs after its events are recorded in the inbox', async () => {
    const recorded: number[] = [];
    const { topic, groupId, consumer } = await f.consumer('inbox-first', {
      recordInboxFirst: true,
      batchHandler: async (items, tx) => {
        const { rows } = await tx.query<{ n: number }>(
          'SELECT count(*)::integer AS n FROM inbox WHERE consumer_group = $1 AND event_id = ANY($2::text[])',
          [groupId, items.map((i) => i.event.id)],
        );
        recorded.push(items.length - (rows[0]?.n ?? 0));
        await recordEffects(items, tx);
      },
    });
    const messages = Array.from({ length: 10 }, (_, i) => cloudEvent('release-f', { i }));
    await f.producer.send(topic, [...messages, messages[0]!]);
    await consumer.start();

    await waitFor(() => consumer.stats.handled === 10, { description: 'all 10 handled' });
    expect(recorded.every((unrecorded) => unrecorded === 0)).toBe(true);
    for (const m of messages) expect(await effects(idOf(m))).toHaveLength(1);
    expect(consumer.stats).toMatchObject({ handled: 10, duplicates: 1 });
  });

  it('dead-letters a message that is not a CloudEvent where it stands and handles the rest of the batch', async () => {
    const { topic, consumer, dlq } = await setUp('garbage', recordEffects);
    const first = cloudEvent('k', { n: 1 });
    const garbage: OutgoingMessage = { key: 'k', value: Buffer.from('not json'), headers: {} };
    const last = cloudEvent('k', { n: 2 });
    await f.producer.send(topic, [first, garbage, last]);
    await consumer.start();

    await waitFor(() => consumer.stats.handled === 2, { description: 'both events handled' });
    await waitFor(() => dlq.messages.length === 1, { description: 'the garbage in the DLQ' });
    expect(dlq.messages[0]!.headers).toMatchObject({
      [DLQ_HEADERS.attempts]: '0',
      [DLQ_HEADERS.originalOffset]: '1',
    });
    for (const m of [first, last]) expect(await effects(idOf(m))).toHaveLength(1);
  });

  it('refuses to be built with both a handler and a batch handler, or neither', () => {
    expect(() => new IdempotentConsumer(common())).toThrow(/exactly one/);
    expect(
      () =>
        new IdempotentConsumer({
          ...common(),
          handler: () => Promise.resolve(),
          batchHandler: () => Promise.resolve(),
        }),
    ).toThrow(/exactly one/);
  });
});
