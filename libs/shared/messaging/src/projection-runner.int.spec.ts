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
import { rowView, rowsView, type ProjectionDefinition } from '@trainyard/kernel';
import { ProjectionRunner } from './projection-runner';
import type { RebuildProgress } from './projection-rebuild';

interface Amount {
  readonly amount: number;
}

interface CountsRow {
  readonly streamId: string;
  readonly events: number;
  readonly lastVersion: number;
  readonly total: string;
}

interface LogRow {
  readonly position: string;
  readonly streamId: string;
  readonly appliedBy: string;
  /** How often the event was folded: anything but 1 is a double application. */
  readonly applications: number;
}

interface RecentRow {
  readonly streamId: string;
  readonly position: string;
  readonly amount: number;
}

/** The tables, as a service's migrations would create them (the runner never creates tables). */
async function createTables(ctx: TestContext, prefix: string): Promise<void> {
  await ctx.pool.query(`
    CREATE TABLE ${prefix}_counts (stream_id text PRIMARY KEY, events integer NOT NULL, last_version integer NOT NULL, total bigint NOT NULL);
    CREATE TABLE ${prefix}_log (
      seq bigint GENERATED ALWAYS AS IDENTITY,
      position bigint PRIMARY KEY,
      stream_id text NOT NULL,
      applied_by text NOT NULL,
      applications integer NOT NULL CHECK (applications > 0)
    );
    CREATE INDEX ${prefix}_log_by_stream ON ${prefix}_log (stream_id, position);
    CREATE TABLE ${prefix}_recent (stream_id text NOT NULL, position bigint NOT NULL, amount integer NOT NULL, PRIMARY KEY (stream_id, position));`);
}

/**
 * Per stream: event count, last version and amount total (deleted by `StreamReset`) and its two
 * latest amounts (rows per stream, older ones deleted); per event, a log row saying which runner
 * folded it and how often. `Poison` fails the fold when asked to.
 */
function statsProjection(
  prefix: string,
  options: { failOnPoison?: boolean; appliedBy?: string } = {},
): ProjectionDefinition<StoredEvent> {
  const check = (event: StoredEvent) => {
    if (event.type === 'Poison' && options.failOnPoison)
      throw new Error(`cannot fold ${event.type} at ${event.position}`);
  };
  return {
    name: prefix,
    eventTypes: ['CapacityAdjusted', 'StreamReset', 'Poison'],
    toEvent: (stored: StoredEvent) => stored, // the runner passes stored events
    views: [
      rowView<StoredEvent, CountsRow>({
        table: `${prefix}_counts`,
        keyOf: (event) => (event.type === 'Poison' ? undefined : event.streamId),
        fold: (row, event) => {
          if (event.type === 'StreamReset') return undefined;
          const { amount } = event.data as Amount;
          return {
            streamId: event.streamId,
            events: (row?.events ?? 0) + 1,
            lastVersion: event.streamVersion,
            total: String(Number(row?.total ?? 0) + amount),
          };
        },
      }),
      rowsView<StoredEvent, RecentRow>({
        table: `${prefix}_recent`,
        groupBy: ['stream_id'],
        keyOf: (event) => (event.type === 'Poison' ? undefined : event.streamId),
        fold: (rows, event) =>
          event.type === 'StreamReset'
            ? []
            : [
                ...rows,
                {
                  streamId: event.streamId,
                  position: String(event.position),
                  amount: (event.data as Amount).amount,
                },
              ].slice(-2),
      }),
      rowView<StoredEvent, LogRow>({
        table: `${prefix}_log`,
        keyOf: (event) => String(event.position),
        fold: (row, event) => {
          check(event);
          return {
            ...row,
            position: String(event.position),
            streamId: event.streamId,
            appliedBy: options.appliedBy ?? 'runner',
            applications: (row?.applications ?? 0) + 1,
          };
        },
      }),
    ],
  };
}

/** What the counts table must hold for these events, computed without the projection. */
function expectedCounts(events: readonly StoredEvent[]) {
  const byStream = new Map<
    string,
    { stream_id: string; events: number; last_version: number; total: string }
  >();
  for (const event of events) {
    if (event.type === 'Poison') continue;
    if (event.type === 'StreamReset') {
      byStream.delete(event.streamId);
      continue;
    }
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

/** What the recent-amounts table must hold: each stream's last two amounts, in position order. */
function expectedRecent(events: readonly StoredEvent[]) {
  const byStream = new Map<string, { stream_id: string; position: string; amount: number }[]>();
  for (const event of events) {
    if (event.type === 'Poison') continue;
    const rows = event.type === 'StreamReset' ? [] : (byStream.get(event.streamId) ?? []);
    if (event.type !== 'StreamReset')
      rows.push({
        stream_id: event.streamId,
        position: String(event.position),
        amount: (event.data as Amount).amount,
      });
    byStream.set(event.streamId, rows.slice(-2));
  }
  return [...byStream.values()]
    .flat()
    .sort((a, b) =>
      a.stream_id < b.stream_id
        ? -1
        : a.stream_id > b.stream_id
          ? 1
          : Number(a.position) - Number(b.position),
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
    projection: ProjectionDefinition<StoredEvent>,
    options: {
      batchSize?: number;
      logger?: ReturnType<typeof recordingLogger>;
      lingerMs?: number;
    } = {},
  ) {
    const instance = new ProjectionRunner({
      pool: ctx.pool,
      store,
      projection,
      batchSize: options.batchSize ?? 50,
      pollIntervalMs: 100,
      ...(options.lingerMs === undefined ? {} : { lingerMs: options.lingerMs }),
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
  ): Promise<Checkpoint> {
    const result = await store.append(streamId, events);
    const appended = { transactionId: result.transactionId, position: result.lastPosition };
    if (compareCheckpoints(appended, lastAppended) > 0) lastAppended = appended;
    return appended;
  }

  async function appendAmounts(streams: number, perStream: number): Promise<string[]> {
    const ids = Array.from({ length: streams }, () => freshStreamId('capacity'));
    for (let i = 0; i < perStream; i++) {
      for (const streamId of ids)
        await append(streamId, [testEvent('CapacityAdjusted', { amount: i + 1 })]);
    }
    return ids;
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

  async function recentRows(table: string): Promise<unknown[]> {
    const { rows } = await ctx.pool.query<Record<string, unknown>>(
      `SELECT stream_id, position::text AS position, amount FROM ${table} ORDER BY stream_id COLLATE "C", position::bigint`,
    );
    return rows;
  }

  async function logged(table: string): Promise<{ positions: string[]; applications: number[] }> {
    const { rows } = await ctx.pool.query<{ p: string; applications: number }>(
      `SELECT position::text AS p, applications FROM ${table} ORDER BY position`,
    );
    return {
      positions: rows.map((r) => r.p),
      applications: [...new Set(rows.map((r) => r.applications))],
    };
  }

  const positionsOf = (events: readonly StoredEvent[]) =>
    events
      .map((e) => e.position)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map(String);

  it('folds every event into its tables and stores the checkpoint with them; a fold giving no row deletes it', async () => {
    await createTables(ctx, 'fold');
    const [reset] = await appendAmounts(4, 5);
    await append(reset ?? '', [testEvent('StreamReset', {})]);
    const projection = runner(statsProjection('fold'));
    await projection.start();
    await caughtUp('fold');

    const events = await allEvents();
    expect(await countsRows('fold_counts')).toEqual(expectedCounts(events));
    expect(await countsRows('fold_counts')).toHaveLength(3);
    expect(await recentRows('fold_recent')).toEqual(expectedRecent(events));
    expect(await recentRows('fold_recent')).toHaveLength(6);
    expect(await logged('fold_log')).toEqual({ positions: positionsOf(events), applications: [1] });
    // The runner's own position may already be past the stored one: reads that find nothing for
    // this projection move it in memory only (nothing to fold, nothing to store).
    expect(
      compareCheckpoints(projection.checkpoint, (await storedCheckpoint('fold'))!),
    ).toBeGreaterThanOrEqual(0);
  });

  it('answers waitFor once the checkpoint is reached (read-your-writes), and false after the timeout', async () => {
    await createTables(ctx, 'waiting');
    const projection = runner(statsProjection('waiting'));
    await projection.start();
    const streamId = freshStreamId('waiting');
    const appended = await append(streamId, [testEvent('CapacityAdjusted', { amount: 7 })]);
    expect(await projection.waitFor(appended, 30_000)).toBe(true);
    const { rows } = await ctx.pool.query(
      'SELECT total::int AS total FROM waiting_counts WHERE stream_id = $1',
      [streamId],
    );
    expect(rows).toEqual([{ total: 7 }]);
    expect(await projection.waitFor({ transactionId: 10n ** 15n, position: 1n }, 50)).toBe(false);
  });

  it('lingers after a batch under a stream of appends, but a waitFor (read-your-writes) ends the linger at once', async () => {
    await createTables(ctx, 'linger');
    const projection = runner(statsProjection('linger'), { lingerMs: 10_000, batchSize: 10_000 });
    await projection.start();
    const streamId = freshStreamId('linger');
    const amount = (n: number) => append(streamId, [testEvent('CapacityAdjusted', { amount: n })]);
    expect(await projection.waitFor(await amount(1), 5_000)).toBe(true);
    // Polled, not waited for: a waitFor would end or skip the linger this test looks for. Once the
    // batch holding it is folded, the runner lingers for 10 s whatever is appended meanwhile.
    const second = await amount(2);
    await waitFor(() => compareCheckpoints(projection.checkpoint, second) >= 0, {
      description: 'the second event folded',
    });
    const third = await amount(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(compareCheckpoints(projection.checkpoint, third)).toBeLessThan(0);
    // A reader waiting for its own write does not wait out the linger.
    expect(await projection.waitFor(third, 5_000)).toBe(true);
    const { rows } = await ctx.pool.query(
      'SELECT total::int AS total FROM linger_counts WHERE stream_id = $1',
      [streamId],
    );
    expect(rows).toEqual([{ total: 6 }]);
  });

  it('commits nothing of a batch in which an event fails, and does not move past it', async () => {
    await createTables(ctx, 'atomic');
    const logger = recordingLogger();
    const projection = runner(statsProjection('atomic', { failOnPoison: true }), {
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
    await createTables(ctx, 'shared');
    const a = runner(statsProjection('shared', { appliedBy: 'a' }), { batchSize: 3 });
    const b = runner(statsProjection('shared', { appliedBy: 'b' }), { batchSize: 3 });
    await Promise.all([a.start(), b.start()]);
    await Promise.all([appendAmounts(5, 8), appendAmounts(5, 8)]);
    await caughtUp('shared');

    const events = await allEvents();
    expect(await logged('shared_log')).toEqual({
      positions: positionsOf(events),
      applications: [1],
    });
    expect(await countsRows('shared_counts')).toEqual(expectedCounts(events));
    expect(a.applied + b.applied).toBe(events.length);
  });

  it('rebuilds into fresh tables while the live runner keeps working, swaps them in, and folds on from there', async () => {
    await createTables(ctx, 'rebuilt');
    const live = runner(statsProjection('rebuilt'), { batchSize: 7 });
    await live.start();
    await appendAmounts(3, 4);
    await caughtUp('rebuilt');
    const relations = async () =>
      (
        await ctx.pool.query<{ relname: string }>(
          `SELECT relname FROM pg_class WHERE relnamespace = $1::regnamespace AND relname LIKE 'rebuilt%' ORDER BY relname`,
          [ctx.schema],
        )
      ).rows.map((r) => r.relname);
    const relationsBefore = await relations();
    // Make the live tables wrong, so only a real replay can make them right again.
    await ctx.pool.query('UPDATE rebuilt_counts SET total = -1');

    const rebuilder = runner(statsProjection('rebuilt', { appliedBy: 'rebuild' }), {
      batchSize: 5,
    });
    const progress: RebuildProgress[] = [];
    const appending = appendAmounts(2, 10);
    const checkpoint = await rebuilder.rebuild((p) => {
      progress.push(p);
    });
    await appending;
    expect(progress.at(-1)).toMatchObject({ phase: 'swapped' });
    expect(progress.filter((p) => p.phase === 'replay').length).toBeGreaterThan(1);
    expect(
      compareCheckpoints((await storedCheckpoint('rebuilt'))!, checkpoint),
    ).toBeGreaterThanOrEqual(0);

    await appendAmounts(2, 3);
    await caughtUp('rebuilt');
    const events = await allEvents();
    expect(await countsRows('rebuilt_counts')).toEqual(expectedCounts(events));
    expect(await recentRows('rebuilt_recent')).toEqual(expectedRecent(events));
    expect(await logged('rebuilt_log')).toEqual({
      positions: positionsOf(events),
      applications: [1],
    });
    const { rows: writers } = await ctx.pool.query<{ applied_by: string }>(
      'SELECT DISTINCT applied_by FROM rebuilt_log ORDER BY 1',
    );
    expect(writers.map((w) => w.applied_by)).toEqual(['rebuild', 'runner']);

    // Indexes, constraints and identity sequences carry the live names again (named ones keep
    // theirs), so migrations find them and a second rebuild does not collide.
    expect(await relations()).toEqual(relationsBefore);
    await rebuilder.rebuild();
    expect(await relations()).toEqual(relationsBefore);
    expect(await countsRows('rebuilt_counts')).toEqual(expectedCounts(await allEvents()));
  });

  it('keeps serving and updating the live tables during a rebuild, and refuses a second rebuild meanwhile', async () => {
    await createTables(ctx, 'serving');
    const live = runner(statsProjection('serving'), { batchSize: 50 });
    await live.start();
    await appendAmounts(4, 25);
    await caughtUp('serving');
    const rebuilder = runner(statsProjection('serving', { appliedBy: 'rebuild' }), {
      batchSize: 10,
    });
    const streamId = freshStreamId('during');
    let duringReplay: { refused: string; liveRows: unknown[] } | undefined;
    await rebuilder.rebuild(async (p) => {
      if (p.phase !== 'replay' || duringReplay) return;
      // The rebuild waits for this: mid-replay, a write reaches the live tables and is read back.
      const refused = await runner(statsProjection('serving'))
        .rebuild()
        .then(
          () => 'not refused',
          (error: unknown) => String(error),
        );
      const appended = await append(streamId, [testEvent('CapacityAdjusted', { amount: 3 })]);
      expect(await live.waitFor(appended, 30_000)).toBe(true);
      const { rows } = await ctx.pool.query(
        'SELECT events, total::int AS total FROM serving_counts WHERE stream_id = $1',
        [streamId],
      );
      duringReplay = { refused, liveRows: rows };
    });
    expect(duringReplay).toEqual({
      refused: expect.stringContaining('a rebuild is already running') as string,
      liveRows: [{ events: 1, total: 3 }],
    });
    await caughtUp('serving');
    expect(await countsRows('serving_counts')).toEqual(expectedCounts(await allEvents()));
    expect(await logged('serving_log')).toMatchObject({ applications: [1] });
  });

  // Last: its event of another type would be in every later test's `allEvents()`.
  it('answers waitFor for an event of a type it does not fold (read-your-writes after another projection’s write)', async () => {
    await createTables(ctx, 'skipping');
    const projection = runner(statsProjection('skipping'));
    await projection.start();
    const folded = await append(freshStreamId('skipping'), [
      testEvent('CapacityAdjusted', { amount: 1 }),
    ]);
    expect(await projection.waitFor(folded, 30_000)).toBe(true);
    // An event no view of this projection reads: nothing to fold, yet the runner has passed it.
    const other = await append(freshStreamId('skipping'), [testEvent('SomethingElseHappened', {})]);
    expect(await projection.waitFor(other, 30_000)).toBe(true);
    expect(compareCheckpoints(projection.checkpoint, other)).toBeGreaterThanOrEqual(0);
  });
});
