import {
  checkpointOf,
  compareCheckpoints,
  createEventStore,
  migrateEventStore,
  parseCheckpoint,
  type Checkpoint,
  type PostgresEventStore,
  type StoredEvent,
} from '@trainyard/event-store';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { freshStreamId, recordingLogger, testEvent } from './messaging.fixture';
import { migrateMessaging } from './messaging.migrations';
import { ProjectionRunner, type Projection } from './projection-runner';

interface Amount {
  readonly amount: number;
}

/** Per stream: event count, last version and amount total; plus a log of every applied event. */
function statsProjection(
  prefix: string,
  options: { failOnPoison?: boolean; appliedBy?: string } = {},
): Projection {
  const counts = `${prefix}_counts`;
  const log = `${prefix}_log`;
  return {
    tables: [counts, log],
    async init(tx, t) {
      await tx.query(
        `CREATE TABLE ${t[counts]} (stream_id text PRIMARY KEY, events integer NOT NULL, last_version integer NOT NULL, total bigint NOT NULL)`,
      );
      await tx.query(
        `CREATE TABLE ${t[log]} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, position bigint NOT NULL, stream_id text NOT NULL, applied_by text NOT NULL)`,
      );
      await tx.query(`CREATE INDEX ON ${t[log]} (position)`);
    },
    async apply(tx, event, t) {
      if (event.type === 'Poison') {
        if (options.failOnPoison) throw new Error(`cannot fold ${event.type} at ${event.position}`);
        return;
      }
      const { amount } = event.data as Amount;
      await tx.query(
        `INSERT INTO ${t[counts]} AS c (stream_id, events, last_version, total) VALUES ($1, 1, $2, $3)
         ON CONFLICT (stream_id) DO UPDATE SET events = c.events + 1, last_version = excluded.last_version, total = c.total + excluded.total`,
        [event.streamId, event.streamVersion, amount],
      );
      await tx.query(
        `INSERT INTO ${t[log]} (position, stream_id, applied_by) VALUES ($1, $2, $3)`,
        [event.position.toString(), event.streamId, options.appliedBy ?? 'runner'],
      );
    },
  };
}

/** What the projection's tables must hold for these events, computed without SQL. */
function expectedCounts(events: readonly StoredEvent[]) {
  const byStream = new Map<
    string,
    { stream_id: string; events: number; last_version: number; total: string }
  >();
  for (const event of events) {
    if (event.type === 'Poison') continue;
    const row = byStream.get(event.streamId) ?? {
      stream_id: event.streamId,
      events: 0,
      last_version: 0,
      total: '0',
    };
    row.events++;
    row.last_version = event.streamVersion;
    row.total = String(Number(row.total) + (event.data as Amount).amount);
    byStream.set(event.streamId, row);
  }
  return [...byStream.values()].sort((a, b) =>
    a.stream_id < b.stream_id ? -1 : a.stream_id > b.stream_id ? 1 : 0,
  );
}

describe('ProjectionRunner', () => {
  let ctx: TestContext;
  let store: PostgresEventStore;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    ctx = await createTestContext('projection_runner');
    await migrateEventStore(ctx.pool, ctx.schema);
    await migrateMessaging(ctx.pool, ctx.schema);
    store = createEventStore(ctx.pool, ctx.schema);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await store.close();
    await ctx.dispose();
  });

  function runner(
    name: string,
    projection: Projection,
    options: { batchSize?: number; logger?: ReturnType<typeof recordingLogger> } = {},
  ) {
    const instance = new ProjectionRunner({
      pool: ctx.pool,
      store,
      name,
      projection,
      batchSize: options.batchSize ?? 50,
      pollIntervalMs: 100,
      backoff: { initialMs: 20, maxMs: 100 },
      ...(options.logger ? { logger: options.logger } : {}),
    });
    cleanups.push(() => instance.stop());
    return instance;
  }

  // The newest appended event. readAll delivers an event only once every older transaction has
  // ended, so "everything" is read up to this, not to whatever one read returns.
  let lastAppended: Checkpoint = { transactionId: 0n, position: 0n };

  async function append(
    streamId: string,
    events: Parameters<typeof store.append>[1],
  ): Promise<void> {
    const result = await store.append(streamId, events);
    const appended = { transactionId: result.transactionId, position: result.lastPosition };
    if (compareCheckpoints(appended, lastAppended) > 0) lastAppended = appended;
  }

  async function appendAmounts(streams: number, perStream: number): Promise<void> {
    const ids = Array.from({ length: streams }, () => freshStreamId('capacity'));
    for (let i = 0; i < perStream; i++) {
      for (const streamId of ids)
        await append(streamId, [testEvent('CapacityAdjusted', { amount: i + 1 })]);
    }
  }

  async function allEvents(): Promise<StoredEvent[]> {
    const target = lastAppended;
    return waitFor(
      async () => {
        const events: StoredEvent[] = [];
        for (let after: Checkpoint | undefined; ;) {
          const read = await store.readAll({ ...(after ? { after } : {}), batchSize: 1000 });
          events.push(...read.events);
          if (read.isEnd) break;
          after = read.checkpoint;
        }
        const last = events[events.length - 1];
        return last !== undefined && compareCheckpoints(checkpointOf(last), target) >= 0 && events;
      },
      { description: 'every appended event readable' },
    );
  }

  async function storedCheckpoint(name: string): Promise<Checkpoint | undefined> {
    const { rows } = await ctx.pool.query<{ checkpoint: string }>(
      'SELECT checkpoint FROM projection_checkpoints WHERE projection = $1',
      [name],
    );
    return rows[0] ? parseCheckpoint(rows[0].checkpoint) : undefined;
  }

  async function caughtUp(name: string): Promise<void> {
    const last = lastAppended;
    await waitFor(
      async () => {
        const stored = await storedCheckpoint(name);
        return stored !== undefined && compareCheckpoints(stored, last) >= 0;
      },
      { description: `projection ${name} caught up` },
    );
  }

  async function countsRows(table: string): Promise<unknown[]> {
    const { rows } = await ctx.pool.query<Record<string, unknown>>(
      `SELECT stream_id, events, last_version, total::text AS total FROM ${table} ORDER BY stream_id COLLATE "C"`,
    );
    return rows;
  }

  async function loggedPositions(table: string): Promise<string[]> {
    const { rows } = await ctx.pool.query<{ p: string }>(
      `SELECT position::text AS p FROM ${table} ORDER BY position`,
    );
    return rows.map((r) => r.p);
  }

  const positionsOf = (events: readonly StoredEvent[]) =>
    events
      .filter((e) => e.type !== 'Poison')
      .map((e) => e.position)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map(String);

  it('folds every event into its tables and stores the checkpoint with them', async () => {
    await appendAmounts(4, 5);
    const projection = runner('fold', statsProjection('fold'));
    await projection.start();
    await caughtUp('fold');

    const events = await allEvents();
    expect(await countsRows('fold_counts')).toEqual(expectedCounts(events));
    expect(await loggedPositions('fold_log')).toEqual(positionsOf(events));
    expect(compareCheckpoints(projection.checkpoint, (await storedCheckpoint('fold'))!)).toBe(0);
  });

  it('commits nothing of a batch in which an event fails, and does not move past it', async () => {
    const logger = recordingLogger();
    const projection = runner('atomic', statsProjection('atomic', { failOnPoison: true }), {
      logger,
      batchSize: 1000,
    });
    await projection.start();
    await caughtUp('atomic');
    const before = await storedCheckpoint('atomic');
    const rowsBefore = await countsRows('atomic_counts');

    const streamId = freshStreamId('atomic');
    await append(streamId, [testEvent('CapacityAdjusted', { amount: 5 }), testEvent('Poison', {})]);
    await waitFor(
      () =>
        logger.entries.filter((e) => e.message.startsWith('projection batch failed')).length >= 2,
      {
        description: 'the failing batch retried',
      },
    );

    expect(await storedCheckpoint('atomic')).toEqual(before);
    expect(await countsRows('atomic_counts')).toEqual(rowsBefore);
    const { rows } = await ctx.pool.query('SELECT 1 FROM atomic_counts WHERE stream_id = $1', [
      streamId,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('applies each event once when two runners of one projection run side by side', async () => {
    const a = runner('shared', statsProjection('shared', { appliedBy: 'a' }), { batchSize: 3 });
    const b = runner('shared', statsProjection('shared', { appliedBy: 'b' }), { batchSize: 3 });
    await Promise.all([a.start(), b.start()]);
    await Promise.all([appendAmounts(5, 8), appendAmounts(5, 8)]);
    await caughtUp('shared');

    const events = await allEvents();
    expect(await loggedPositions('shared_log')).toEqual(positionsOf(events));
    expect(await countsRows('shared_counts')).toEqual(expectedCounts(events));
    expect(a.applied + b.applied).toBe(events.length);
  });

  it('rebuilds into fresh tables while the live runner keeps working, swaps them in, and folds on from there', async () => {
    const live = runner('rebuilt', statsProjection('rebuilt'), { batchSize: 7 });
    await live.start();
    await appendAmounts(3, 4);
    await caughtUp('rebuilt');
    // Make the live tables wrong, so only a real replay can make them right again.
    await ctx.pool.query('UPDATE rebuilt_counts SET total = -1');

    const rebuilder = runner('rebuilt', statsProjection('rebuilt', { appliedBy: 'rebuild' }));
    const appending = appendAmounts(2, 10);
    const checkpoint = await rebuilder.rebuild();
    await appending;
    expect(
      compareCheckpoints((await storedCheckpoint('rebuilt'))!, checkpoint),
    ).toBeGreaterThanOrEqual(0);

    await appendAmounts(2, 3);
    await caughtUp('rebuilt');
    const events = await allEvents();
    expect(await countsRows('rebuilt_counts')).toEqual(expectedCounts(events));
    expect(await loggedPositions('rebuilt_log')).toEqual(positionsOf(events));
    const { rows: writers } = await ctx.pool.query<{ applied_by: string }>(
      'SELECT DISTINCT applied_by FROM rebuilt_log ORDER BY 1',
    );
    expect(writers.map((w) => w.applied_by)).toEqual(['rebuild', 'runner']);

    // Indexes and identity sequences carry the live names again, so a second rebuild does not collide.
    const relations = async () =>
      (
        await ctx.pool.query<{ relname: string }>(
          `SELECT relname FROM pg_class WHERE relnamespace = $1::regnamespace AND relname LIKE 'rebuilt%' ORDER BY relname`,
          [ctx.schema],
        )
      ).rows.map((r) => r.relname);
    expect(await relations()).toEqual([
      'rebuilt_counts',
      'rebuilt_counts_pkey',
      'rebuilt_log',
      'rebuilt_log_id_seq',
      'rebuilt_log_pkey',
      'rebuilt_log_position_idx',
    ]);
    await rebuilder.rebuild();
    expect(await relations()).toEqual([
      'rebuilt_counts',
      'rebuilt_counts_pkey',
      'rebuilt_log',
      'rebuilt_log_id_seq',
      'rebuilt_log_pkey',
      'rebuilt_log_position_idx',
    ]);
    expect(await countsRows('rebuilt_counts')).toEqual(expectedCounts(await allEvents()));
  });
});
