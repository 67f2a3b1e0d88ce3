import { createTestContext, waitFor } from '@trainyard/testing';
import type { TestContext } from '@trainyard/testing';
import { compareCheckpoints } from './checkpoint';
import { migrateEventStore } from './event-store.migrations';
import type { Checkpoint, StoredEvent } from './event-store.types';
import { freshStreamId, newEvent } from './new-event.fixture';
import { createEventStore } from './postgres-event-store';
import type { PostgresEventStore } from './postgres-event-store';
import { UpcasterRegistry } from './upcasters';
import { WrongExpectedVersion } from './wrong-expected-version.error';

let ctx: TestContext;
let store: PostgresEventStore;

beforeAll(async () => {
  ctx = await createTestContext('event_store');
  await migrateEventStore(ctx.pool, ctx.schema);
  store = createEventStore(ctx.pool, ctx.schema, { crossProcessSignal: false });
});

afterAll(async () => {
  await store.close();
  await ctx.dispose();
});

async function countRows(streamId: string): Promise<number> {
  const { rows } = await ctx.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM events WHERE stream_id = $1',
    [streamId],
  );
  return rows[0]?.n ?? -1;
}

async function expectConflict(promise: Promise<unknown>, actual: number): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WrongExpectedVersion);
  expect((error as WrongExpectedVersion).actual).toBe(actual);
}

describe('migrations', () => {
  it('are idempotent and safe to run concurrently', async () => {
    const results = await Promise.all([
      migrateEventStore(ctx.pool, ctx.schema),
      migrateEventStore(ctx.pool, ctx.schema),
    ]);
    expect(results).toEqual([[], []]);
  });
});

describe('append', () => {
  it('stores a single event with its metadata and returns where it went', async () => {
    const streamId = freshStreamId('release');
    const event = newEvent('ReleaseCreated', { releaseId: 'r-1', name: 'Spring' });

    const result = await store.append(streamId, [event], 'no_stream');

    expect(result).toMatchObject({ streamId, nextExpectedVersion: 1 });
    expect(result.firstPosition).toBe(result.lastPosition);
    const [stored, ...rest] = await store.readStream(streamId);
    expect(rest).toHaveLength(0);
    expect(stored).toMatchObject({
      position: result.firstPosition,
      transactionId: result.transactionId,
      streamId,
      streamVersion: 1,
      type: 'ReleaseCreated',
      schemaVersion: 1,
      data: { releaseId: 'r-1', name: 'Spring' },
      metadata: event.metadata,
    });
    expect(stored?.recordedAt).toBeInstanceOf(Date);
  });

  it('stores a batch atomically: consecutive versions and positions, one transaction', async () => {
    const streamId = freshStreamId('release');
    const events = [1, 2, 3].map((n) => newEvent('WorkloadAdded', { n }));

    const result = await store.append(streamId, events, 'no_stream');

    expect(result.nextExpectedVersion).toBe(3);
    expect(result.lastPosition - result.firstPosition).toBe(2n);
    const stored = await store.readStream(streamId);
    expect(stored.map((e) => [e.streamVersion, e.data])).toEqual([
      [1, { n: 1 }],
      [2, { n: 2 }],
      [3, { n: 3 }],
    ]);
    expect(stored.map((e) => e.position)).toEqual([
      result.firstPosition,
      result.firstPosition + 1n,
      result.lastPosition,
    ]);
    expect(new Set(stored.map((e) => e.transactionId))).toEqual(new Set([result.transactionId]));
  });

  it('appends after the expected version n', async () => {
    const streamId = freshStreamId();
    await store.append(streamId, [newEvent('A', {}), newEvent('B', {})], 'no_stream');

    const result = await store.append(streamId, [newEvent('C', {})], 2);

    expect(result.nextExpectedVersion).toBe(3);
    expect((await store.readStream(streamId)).map((e) => e.type)).toEqual(['A', 'B', 'C']);

    const batch = await store.append(streamId, [newEvent('D', {}), newEvent('E', {})], 3);
    expect(batch.nextExpectedVersion).toBe(5);
    expect(batch.lastPosition).toBe(batch.firstPosition + 1n);
    const stored = await store.readStream(streamId, { fromVersion: 4 });
    expect(stored.map((e) => [e.type, e.streamVersion, e.position])).toEqual([
      ['D', 4, batch.firstPosition],
      ['E', 5, batch.lastPosition],
    ]);

    // Beyond the multi-row VALUES statement's size: the unnest statement, same guarantees.
    const types = Array.from({ length: 150 }, (_, i) => `T${i}`);
    const large = await store.append(
      streamId,
      types.map((type) => newEvent(type, {})),
      5,
    );
    expect(large.nextExpectedVersion).toBe(155);
    expect(large.lastPosition - large.firstPosition).toBe(149n);
    const tail = await store.readStream(streamId, { fromVersion: 6 });
    expect(tail.map((e) => e.type)).toEqual(types);
    expect(tail.map((e) => e.streamVersion)).toEqual(types.map((_, i) => 6 + i));
    expect(tail.map((e) => e.position)).toEqual(
      types.map((_, i) => large.firstPosition + BigInt(i)),
    );
    await expectConflict(
      store.append(
        streamId,
        types.map((type) => newEvent(type, {})),
        200,
      ),
      155,
    );
  });

  it("appends at the end with 'any', to a new stream as to an existing one", async () => {
    const streamId = freshStreamId();
    expect((await store.append(streamId, [newEvent('A', {})], 'any')).nextExpectedVersion).toBe(1);
    expect(
      (await store.append(streamId, [newEvent('B', {}), newEvent('C', {})])).nextExpectedVersion,
    ).toBe(3);
  });

  it("refuses 'no_stream' for an existing stream and stores nothing", async () => {
    const streamId = freshStreamId();
    await store.append(streamId, [newEvent('A', {})], 'no_stream');

    await expectConflict(
      store.append(streamId, [newEvent('B', {}), newEvent('C', {})], 'no_stream'),
      1,
    );

    expect(await countRows(streamId)).toBe(1);
  });

  it('refuses a stale or future expected version and stores nothing', async () => {
    const streamId = freshStreamId();
    await store.append(streamId, [newEvent('A', {}), newEvent('B', {})], 'no_stream');

    await expectConflict(store.append(streamId, [newEvent('C', {})], 1), 2);
    await expectConflict(store.append(streamId, [newEvent('C', {}), newEvent('D', {})], 5), 2);
    await expectConflict(store.append(freshStreamId(), [newEvent('C', {})], 1), 0);

    expect(await countRows(streamId)).toBe(2);
  });

  it('lets exactly one of many concurrent appends with the same expected version win', async () => {
    const streamId = freshStreamId();
    await store.append(streamId, [newEvent('Opened', {})], 'no_stream');

    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        store.append(streamId, [newEvent('Raced', { i }), newEvent('Raced', { i })], 1),
      ),
    );

    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(11);
    for (const o of lost) expect(o.reason).toBeInstanceOf(WrongExpectedVersion);
    expect(await countRows(streamId)).toBe(3);
  });

  it("lets exactly one of many concurrent 'no_stream' appends create the stream", async () => {
    const streamId = freshStreamId();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        store.append(streamId, [newEvent('Created', {})], 'no_stream'),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(await countRows(streamId)).toBe(1);
  });

  it("serialises concurrent 'any' appends to one stream without losing any", async () => {
    const streamId = freshStreamId();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.append(streamId, [newEvent('Counted', { i })])),
    );

    expect(results.map((r) => r.nextExpectedVersion).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    const stored = await store.readStream(streamId);
    expect(stored.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Per stream, a later version always commits in a later transaction: commit-safe order keeps stream order.
    for (let i = 1; i < stored.length; i++)
      expect(stored[i]!.transactionId > stored[i - 1]!.transactionId).toBe(true);
  });

  it('rejects invalid input before touching the database', async () => {
    await expect(store.append(freshStreamId(), [])).rejects.toThrow('no events');
    await expect(store.append('', [newEvent('A', {})])).rejects.toThrow(
      'streamId must not be empty',
    );
    await expect(store.append(freshStreamId(), [newEvent('A', {})], -1)).rejects.toThrow(
      'invalid expected version',
    );
    const noActor = {
      type: 'A',
      data: {},
      metadata: { eventId: 'e', correlationId: 'c', actor: '' },
    };
    await expect(store.append(freshStreamId(), [noActor])).rejects.toThrow('needs metadata');
  });
});

describe('readStream', () => {
  const streamId = freshStreamId('read');

  beforeAll(async () => {
    await store.append(
      streamId,
      Array.from({ length: 6 }, (_, i) => newEvent('Numbered', { n: i + 1 })),
      'no_stream',
    );
  });

  const versions = (events: StoredEvent[]) => events.map((e) => e.streamVersion);

  it('reads forwards from a version, at most maxCount', async () => {
    expect(versions(await store.readStream(streamId))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(versions(await store.readStream(streamId, { fromVersion: 3, maxCount: 2 }))).toEqual([
      3, 4,
    ]);
    expect(versions(await store.readStream(streamId, { fromVersion: 5, maxCount: 10 }))).toEqual([
      5, 6,
    ]);
    expect(versions(await store.readStream(streamId, { fromVersion: 7 }))).toEqual([]);
  });

  it('reads backwards from the end or from a version, at most maxCount', async () => {
    expect(
      versions(await store.readStream(streamId, { direction: 'backwards', maxCount: 2 })),
    ).toEqual([6, 5]);
    expect(
      versions(
        await store.readStream(streamId, { direction: 'backwards', fromVersion: 4, maxCount: 3 }),
      ),
    ).toEqual([4, 3, 2]);
    expect(
      versions(await store.readStream(streamId, { direction: 'backwards', fromVersion: 2 })),
    ).toEqual([2, 1]);
  });

  it('reads nothing from a stream that does not exist', async () => {
    expect(await store.readStream(freshStreamId())).toEqual([]);
  });
});

describe('readAll', () => {
  async function readEverything(types?: readonly string[]): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    let after: Checkpoint | undefined;
    for (let pages = 0; pages < 1000; pages++) {
      const result = await store.readAll({
        ...(after ? { after } : {}),
        batchSize: 7,
        ...(types ? { types } : {}),
      });
      expect(result.events.length).toBeLessThanOrEqual(7);
      events.push(...result.events);
      after = result.checkpoint;
      if (result.isEnd) return events;
    }
    throw new Error('readAll never reached the end');
  }

  // readAll stops at the commit frontier, which another test's transaction in this database may
  // hold back for a moment: these tests poll until what they appended is readable.
  it('reads every event exactly once, in batches, in commit-safe order', async () => {
    await store.append(
      freshStreamId(),
      Array.from({ length: 9 }, () => newEvent('Filler', {})),
    );
    const { rows } = await ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');

    const events = await waitFor(async () => {
      const all = await readEverything();
      return all.length >= rows[0]!.n && all;
    });

    expect(events).toHaveLength(rows[0]!.n);
    expect(new Set(events.map((e) => e.position)).size).toBe(events.length);
    for (let i = 1; i < events.length; i++)
      expect(compareCheckpoints(events[i - 1]!, events[i]!)).toBe(-1);
  });

  it('filters by type and still reaches the end', async () => {
    const type = `Rare${Date.now()}`;
    await store.append(freshStreamId(), [
      newEvent(type, { i: 1 }),
      newEvent('Common', {}),
      newEvent(type, { i: 2 }),
    ]);
    await store.append(freshStreamId(), [newEvent('Common', {})]);
    await store.append(freshStreamId(), [newEvent(type, { i: 3 })]);

    const events = await waitFor(async () => {
      const typed = await readEverything([type]);
      return typed.length >= 3 && typed;
    });

    expect(events.map((e) => e.data)).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
  });

  it('returns a checkpoint past everything read, from which nothing old is read again', async () => {
    const first = await store.readAll({ batchSize: 100_000 });
    expect(first.isEnd).toBe(true);
    const streamId = freshStreamId();
    await store.append(streamId, [newEvent('Later', {})]);

    const next = await waitFor(async () => {
      const result = await store.readAll({ after: first.checkpoint });
      return result.events.length > 0 && result;
    });

    expect(next.events.map((e) => e.streamId)).toEqual([streamId]);
  });
});

describe('upcasters', () => {
  // v1 stored a full name; v2 split it; v3 added a required locale.
  const upcasters = new UpcasterRegistry()
    .register('PersonRegistered', 1, (data) => {
      const { name } = data as { name: string };
      const [firstName = '', ...rest] = name.split(' ');
      return { firstName, lastName: rest.join(' ') };
    })
    .register('PersonRegistered', 2, (data) => ({ ...(data as object), locale: 'en' }));

  it('turns a stored v1 row into the current shape on every read path, leaving the row as stored', async () => {
    const upcasting = createEventStore(ctx.pool, ctx.schema, {
      upcasters,
      crossProcessSignal: false,
    });
    const streamId = freshStreamId('person');
    await ctx.pool.query(
      `INSERT INTO events (stream_id, stream_version, event_type, schema_version, data, metadata)
       VALUES ($1, 1, 'PersonRegistered', 1, '{"name": "Ada King Lovelace"}',
               '{"eventId": "6f1c0d4e-0000-4000-8000-000000000001", "correlationId": "c-1", "actor": "user:legacy"}')`,
      [streamId],
    );
    await upcasting.append(streamId, [
      newEvent('PersonRegistered', { firstName: 'Grace', lastName: 'Hopper', locale: 'en-US' }, 3),
    ]);
    const current = [
      { firstName: 'Ada', lastName: 'King Lovelace', locale: 'en' },
      { firstName: 'Grace', lastName: 'Hopper', locale: 'en-US' },
    ];

    const fromStream = await upcasting.readStream(streamId);
    expect(fromStream.map((e) => [e.schemaVersion, e.data])).toEqual(current.map((d) => [3, d]));

    const fromAll = await waitFor(async () => {
      const { events } = await upcasting.readAll({
        batchSize: 100_000,
        types: ['PersonRegistered'],
      });
      const ours = events.filter((e) => e.streamId === streamId);
      return ours.length >= 2 && ours;
    });
    expect(fromAll.map((e) => e.data)).toEqual(current);

    const { rows } = await ctx.pool.query(
      'SELECT schema_version, data FROM events WHERE stream_id = $1 ORDER BY stream_version',
      [streamId],
    );
    expect(rows[0]).toEqual({ schema_version: 1, data: { name: 'Ada King Lovelace' } });
    expect((await store.readStream(streamId))[0]?.data).toEqual({ name: 'Ada King Lovelace' });
    await upcasting.close();
  });
});
