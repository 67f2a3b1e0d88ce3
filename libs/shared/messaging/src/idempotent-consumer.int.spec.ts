import type { PoolClient } from 'pg';
import { waitFor } from '@trainyard/testing';
import type { ParsedCloudEvent } from './cloud-event.parse';
import { DLQ_HEADERS, IdempotentConsumer, type IdempotentHandler } from './idempotent-consumer';
import { DEFAULT_INBOX_RETENTION_DAYS } from './inbox-retention';
import { IdempotentConsumerFixture } from './idempotent-consumer.fixture';
import type { OutgoingMessage } from './message-bus.port';

describe('IdempotentConsumer', () => {
  const f = IdempotentConsumerFixture.use('idempotent_consumer');
  const { cloudEvent, idOf } = f;
  const setUp = (
    name: string,
    handler: IdempotentHandler,
    maxAttempts = 3,
    backoff = { initialMs: 10, maxMs: 40 },
  ) => f.consumer(name, { handler, maxAttempts, backoff });

  const recordEffect = async (event: ParsedCloudEvent, tx: PoolClient): Promise<void> => {
    await tx.query('INSERT INTO effects (event_id) VALUES ($1)', [event.id]);
  };

  const effectCount = async (eventId: string) => (await f.effects(eventId)).length;

  it('has one effect for a message delivered twice', async () => {
    const calls = new Map<string, number>();
    const { topic, groupId, consumer } = await setUp('duplicate', async (event, tx) => {
      calls.set(event.id, (calls.get(event.id) ?? 0) + 1);
      await recordEffect(event, tx);
    });
    const first = cloudEvent('release-1', { n: 1 });
    const last = cloudEvent('release-1', { n: 2 });
    await f.producer.send(topic, [first, first, last]);
    await consumer.start();

    // One partition: once the last message's effect exists, the duplicate before it was handled too.
    await waitFor(async () => (await effectCount(idOf(last))) === 1, {
      description: 'the last message handled',
    });
    expect(await effectCount(idOf(first))).toBe(1);
    expect(calls.get(idOf(first))).toBe(1);
    expect(consumer.stats).toMatchObject({ handled: 2, duplicates: 1, deadLettered: 0 });
    const { rows } = await f.ctx.pool.query(
      'SELECT event_id FROM inbox WHERE consumer_group = $1 ORDER BY handled_at',
      [groupId],
    );
    expect(rows.map((r: { event_id: string }) => r.event_id).sort()).toEqual(
      [idOf(first), idOf(last)].sort(),
    );
  });

  it('retries a failing handler with its partial writes rolled back, and applies the effect once when it succeeds', async () => {
    let runs = 0;
    const { topic, consumer } = await setUp('retry', async (event, tx) => {
      await recordEffect(event, tx);
      if (++runs < 3) throw new Error(`transient glitch ${runs}`);
    });
    const message = cloudEvent('release-2', {});
    await f.producer.send(topic, [message]);
    await consumer.start();

    await waitFor(() => consumer.stats.handled === 1, { description: 'handled on the third run' });
    expect(await effectCount(idOf(message))).toBe(1);
    expect(consumer.stats).toMatchObject({ failedAttempts: 2, deadLettered: 0 });
  });

  it('dead-letters a message whose handler always throws after maxAttempts, with the failure in headers, and handles the next message', async () => {
    const attempts = new Map<string, number>();
    const poison = cloudEvent('release-3', { poison: true });
    const next = cloudEvent('release-3', { poison: false });
    const { topic, consumer, dlq } = await setUp('poison', async (event: ParsedCloudEvent, tx) => {
      attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
      if ((event.data as { poison: boolean }).poison)
        throw new Error('release calendar rejected the date');
      await recordEffect(event, tx);
    });
    await f.producer.send(topic, [poison, next]);
    await consumer.start();

    await waitFor(async () => (await effectCount(idOf(next))) === 1, {
      description: 'the next message handled',
    });
    await waitFor(() => dlq.messages.length === 1, {
      description: 'the poison message in the DLQ',
    });
    expect(attempts.get(idOf(poison))).toBe(3);
    expect(await effectCount(idOf(poison))).toBe(0);
    const dead = dlq.messages[0]!;
    expect(dead.key).toBe(poison.key);
    expect(dead.value?.toString('utf8')).toBe(poison.value?.toString('utf8'));
    expect(dead.headers).toMatchObject({
      ...poison.headers,
      [DLQ_HEADERS.error]: 'release calendar rejected the date',
      [DLQ_HEADERS.attempts]: '3',
      [DLQ_HEADERS.originalTopic]: topic,
      [DLQ_HEADERS.originalPartition]: '0',
      [DLQ_HEADERS.originalOffset]: '0',
    });
    expect(Number.isNaN(Date.parse(dead.headers[DLQ_HEADERS.failedAt] ?? ''))).toBe(false);
    expect(consumer.stats).toMatchObject({ handled: 1, deadLettered: 1, failedAttempts: 3 });
  });

  it('dead-letters a message that is not a valid CloudEvent at once, without calling the handler', async () => {
    const seen: string[] = [];
    const { topic, consumer, dlq } = await setUp('unparseable', async (event, tx) => {
      seen.push(event.id);
      await recordEffect(event, tx);
    });
    const garbage: OutgoingMessage = {
      key: 'k',
      value: Buffer.from('not json'),
      headers: { ce_id: 'no-spec-version' },
    };
    const next = cloudEvent('k', {});
    await f.producer.send(topic, [garbage, next]);
    await consumer.start();

    await waitFor(async () => (await effectCount(idOf(next))) === 1, {
      description: 'the next message handled',
    });
    await waitFor(() => dlq.messages.length === 1, {
      description: 'the garbage message in the DLQ',
    });
    expect(seen).toEqual([idOf(next)]);
    expect(dlq.messages[0]!.headers).toMatchObject({
      [DLQ_HEADERS.attempts]: '0',
      [DLQ_HEADERS.error]: 'invalid CloudEvent: missing ce_specversion',
    });
    expect(dlq.messages[0]!.value?.toString()).toBe('not json');
  });

  // Guards a silent loss: after a failed statement PostgreSQL answers COMMIT with ROLLBACK, without
  // an error, so a handler that swallows the failure must not count as handled.
  it('treats a transaction the handler left aborted as a failure, not as handled', async () => {
    const { topic, consumer, dlq } = await setUp(
      'aborted-tx',
      async (event, tx) => {
        await recordEffect(event, tx);
        await tx.query('SELECT 1 / 0').catch(() => undefined);
      },
      2,
    );
    const message = cloudEvent('release-4', {});
    await f.producer.send(topic, [message]);
    await consumer.start();

    await waitFor(() => dlq.messages.length === 1, { description: 'the message in the DLQ' });
    expect(dlq.messages[0]!.headers[DLQ_HEADERS.error]).toMatch(/rolled back/);
    expect(consumer.stats.handled).toBe(0);
    expect(await effectCount(idOf(message))).toBe(0);
  });

  it('stops promptly during a retry backoff and leaves the message uncommitted, so the next member of the group handles it', async () => {
    let failing = true;
    const { topic, groupId, consumer } = await setUp(
      'stop-in-backoff',
      async (event, tx) => {
        if (failing) throw new Error('downstream not ready');
        await recordEffect(event, tx);
      },
      5,
      { initialMs: 30_000, maxMs: 30_000 },
    );
    const message = cloudEvent('release-5', {});
    await f.producer.send(topic, [message]);
    await consumer.start();
    await waitFor(() => consumer.stats.failedAttempts === 1, {
      description: 'the first failed attempt',
    });

    const stoppedAt = Date.now();
    await consumer.stop();
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);

    failing = false;
    const successor = new IdempotentConsumer({
      pool: f.ctx.pool,
      bus: f.bus,
      schema: f.ctx.schema,
      groupId,
      topics: [topic],
      inboxRetentionDays: DEFAULT_INBOX_RETENTION_DAYS,
      handler: recordEffect,
      backoff: { initialMs: 10, maxMs: 40 },
    });
    f.onCleanup(() => successor.stop());
    await successor.start();
    await waitFor(async () => (await effectCount(idOf(message))) === 1, {
      description: 'the message handled by the successor',
    });
    expect(successor.stats.handled).toBe(1);
  });
});
