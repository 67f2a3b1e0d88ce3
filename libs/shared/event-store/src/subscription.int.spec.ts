import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestContext, waitFor } from '@trainyard/testing';
import type { TestContext } from '@trainyard/testing';
import { compareCheckpoints } from './checkpoint';
import { migrateEventStore } from './event-store.migrations';
import type { Checkpoint, StoredEvent } from './event-store.types';
import { freshStreamId, newEvent } from './new-event.fixture';
import { createEventStore } from './postgres-event-store';
import type { PostgresEventStore } from './postgres-event-store';

let ctx: TestContext;
let store: PostgresEventStore;
/** Connections held by the slow transactions, apart from the store's pool. */
let slowPool: Pool;

beforeAll(async () => {
  ctx = await createTestContext('subscription');
  await migrateEventStore(ctx.pool, ctx.schema);
  store = createEventStore(ctx.pool, ctx.schema);
  slowPool = new Pool({
    connectionString: ctx.databaseUrl,
    max: 16,
    options: `-c search_path=${ctx.schema}`,
  });
});

afterAll(async () => {
  await store.close();
  await slowPool.end();
  await ctx.dispose();
});

/** Collects what a subscription delivers and checks the delivery contract batch by batch. */
class Recorder {
  readonly events: StoredEvent[] = [];
  readonly seen = new Map<string, number>();
  private last?: Checkpoint;

  readonly handler = async ({
    events,
    checkpoint,
  }: {
    events: readonly StoredEvent[];
    checkpoint: Checkpoint;
  }) => {
    for (const event of events) {
      if (this.last) expect(compareCheckpoints(this.last, event)).toBe(-1);
      this.last = event;
      this.events.push(event);
      this.seen.set(event.metadata.eventId, (this.seen.get(event.metadata.eventId) ?? 0) + 1);
    }
    if (this.last) expect(compareCheckpoints(checkpoint, this.last)).toBeGreaterThanOrEqual(0);
    await Promise.resolve();
  };

  duplicates(): string[] {
    return [...this.seen].filter(([, n]) => n > 1).map(([id]) => id);
  }
}

/**
 * Appends an event from a transaction that took its xid first and commits after a random pause,
 * so appenders that started later commit before it: a reader going by position alone would skip it.
 */
async function slowInsert(streamId: string, eventId: string): Promise<void> {
  const client = await slowPool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_current_xact_id()');
    await client.query('SELECT pg_sleep($1)', [Math.random() * 0.02]);
    await client.query(
      `INSERT INTO events (stream_id, stream_version, event_type, data, metadata)
       VALUES ($1, 1, 'SlowlyCommitted', '{}', $2)`,
      [streamId, JSON.stringify({ eventId, correlationId: eventId, actor: 'user:slow' })],
    );
    await client.query('SELECT pg_sleep($1)', [Math.random() * 0.05]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function countEvents(): Promise<number> {
  const { rows } = await ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
  return rows[0]!.n;
}

function expectStreamsInOrder(events: readonly StoredEvent[]): void {
  const versions = new Map<string, number>();
  for (const event of events) {
    const previous = versions.get(event.streamId) ?? 0;
    expect(event.streamVersion).toBe(previous + 1);
    versions.set(event.streamId, event.streamVersion);
  }
}

it('delivers every event exactly once, in stream order, despite out-of-order commits, and resumes from its checkpoint', async () => {
  const recorder = new Recorder();
  const subscription = store.subscribe({
    from: 'start',
    batchSize: 37,
    pollIntervalMs: 250,
    handler: recorder.handler,
  });

  const writers = 16;
  const appendsPerWriter = 24;
  const expectedIds = new Set<string>();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const versions = new Map<number, number>();
      for (let i = 0; i < appendsPerWriter; i++) {
        if (i % 6 === 3) {
          const eventId = randomUUID();
          expectedIds.add(eventId);
          await slowInsert(`slow-${w}-${i}-${randomUUID()}`, eventId);
          continue;
        }
        const s = i % 3;
        const events = Array.from({ length: 1 + (i % 2) }, () => newEvent('Written', { w, i }));
        for (const e of events) expectedIds.add(e.metadata.eventId);
        const version = versions.get(s) ?? 0;
        await store.append(
          `writer-${ctx.schema}-${w}-${s}`,
          events,
          version === 0 ? 'no_stream' : version,
        );
        versions.set(s, version + events.length);
      }
    }),
  );
  expect(await countEvents()).toBe(expectedIds.size);

  await waitFor(() => recorder.events.length >= expectedIds.size, {
    timeoutMs: 30_000,
    description: 'all events delivered',
  });
  expect(recorder.events).toHaveLength(expectedIds.size);
  expect(recorder.duplicates()).toEqual([]);
  expect(new Set(recorder.seen.keys())).toEqual(expectedIds);
  expectStreamsInOrder(recorder.events);
  // The scenario did what it is for: commits came out of position order (see slowInsert).
  expect(
    recorder.events.some((e, i) => i > 0 && e.position < recorder.events[i - 1]!.position),
  ).toBe(true);

  await subscription.stop();
  const checkpoint = subscription.checkpoint;
  const later = [newEvent('AfterRestart', {}), newEvent('AfterRestart', {})];
  await store.append(freshStreamId(), later);

  const resumed = new Recorder();
  const again = store.subscribe({
    from: checkpoint,
    pollIntervalMs: 250,
    handler: resumed.handler,
  });
  await waitFor(() => resumed.events.length >= 2, {
    description: 'events after the restart',
  });
  // One more round trip: anything old it were to redeliver would arrive with or before the new ones.
  const tail = await store.readAll({ after: again.checkpoint });
  await again.stop();

  expect(tail.events).toEqual([]);
  expect(resumed.events.map((e) => e.metadata.eventId)).toEqual(
    later.map((e) => e.metadata.eventId),
  );
});

it('retries a failed read within moments, not after its poll interval', async () => {
  const type = `Retried${randomUUID().slice(0, 8)}`;
  await store.append(freshStreamId('retry'), [newEvent(type, {})]);
  // A pool of one connection, held here: the subscription's reads fail (connection timeout) until it is released.
  const tightPool = new Pool({
    connectionString: ctx.databaseUrl,
    max: 1,
    connectionTimeoutMillis: 200,
    options: `-c search_path=${ctx.schema}`,
  });
  const held = await tightPool.connect();
  const tight = createEventStore(tightPool, ctx.schema, { crossProcessSignal: false });
  const errors: unknown[] = [];
  const recorder = new Recorder();
  const subscription = tight.subscribe({
    from: 'start',
    types: [type],
    pollIntervalMs: 60_000,
    handler: recorder.handler,
    onReadError: (error) => errors.push(error),
  });
  try {
    await waitFor(() => errors.length > 0, { description: 'a failed read' });
    held.release();
    await waitFor(() => recorder.events.length === 1, {
      timeoutMs: 20_000,
      description: 'the event, read by a retry well before the 60 s poll',
    });
    expect(recorder.events.map((e) => e.type)).toEqual([type]);
    expect(String(errors[0])).toMatch(/timeout/i);
  } finally {
    await subscription.stop();
    await tight.close();
    await tightPool.end();
  }
});

describe('catch-up then live', () => {
  it('delivers history first, then new appends of another process as they commit (woken by NOTIFY)', async () => {
    const type = `Live${randomUUID().slice(0, 8)}`;
    const streamId = freshStreamId('live');
    await store.append(
      streamId,
      Array.from({ length: 5 }, (_, i) => newEvent(type, { i })),
      'no_stream',
    );

    // Another process: its own pool and store, so only NOTIFY (not an in-process wake-up) can reach
    // it; the long poll interval makes a delivery within the waits below a NOTIFY's doing. Its
    // connections carry an application_name of their own, so the readiness check below can only
    // match its LISTEN, never that of another store of this file (or of another test file).
    const applicationName = `subscription-live-${randomUUID().slice(0, 8)}`;
    const otherPool = new Pool({
      connectionString: ctx.databaseUrl,
      max: 2,
      options: `-c search_path=${ctx.schema}`,
      application_name: applicationName,
    });
    const other = createEventStore(otherPool, ctx.schema);
    const recorder = new Recorder();
    const subscription = other.subscribe({
      from: 'start',
      types: [type],
      pollIntervalMs: 60_000,
      handler: recorder.handler,
    });
    try {
      await waitFor(() => recorder.events.length === 5, {
        timeoutMs: 20_000,
        description: 'history',
      });
      await waitFor(
        async () => {
          const { rowCount } = await ctx.pool.query(
            `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query = $2 AND state = 'idle'`,
            [applicationName, `LISTEN "${ctx.schema}.events"`],
          );
          return (rowCount ?? 0) > 0;
        },
        { timeoutMs: 20_000, description: "the other store's LISTEN connection" },
      );

      for (let i = 5; i < 8; i++) {
        await store.append(streamId, [newEvent(type, { i })], i);
        await waitFor(() => recorder.events.length === i + 1, {
          timeoutMs: 20_000,
          description: `live event ${i}`,
        });
      }

      expect(recorder.events.map((e) => e.data)).toEqual(
        Array.from({ length: 8 }, (_, i) => ({ i })),
      );
      expect(recorder.duplicates()).toEqual([]);
    } finally {
      await subscription.stop();
      await other.close();
      await otherPool.end();
    }
  });

  it("from 'end' skips history and delivers only what is appended afterwards", async () => {
    const type = `End${randomUUID().slice(0, 8)}`;
    await store.append(freshStreamId(), [newEvent(type, { old: true })]);
    const recorder = new Recorder();
    const subscription = store.subscribe({
      from: 'end',
      types: [type],
      pollIntervalMs: 100,
      handler: recorder.handler,
    });
    try {
      // The start checkpoint is taken asynchronously; wait until the subscription has done a read.
      await waitFor(() => subscription.checkpoint.transactionId > 0n, {
        description: 'the end checkpoint',
      });
      await store.append(freshStreamId(), [newEvent(type, { old: false })]);
      await waitFor(() => recorder.events.length === 1, {
        description: 'the new event',
      });
      expect(recorder.events[0]?.data).toEqual({ old: false });
    } finally {
      await subscription.stop();
    }
  });

  it('stops with the error its handler threw', async () => {
    await store.append(freshStreamId(), [newEvent('Boom', {})]);
    const subscription = store.subscribe({
      from: 'start',
      handler: () => Promise.reject(new Error('projection failed')),
    });
    await expect(subscription.done).rejects.toThrow('projection failed');
  });
});
