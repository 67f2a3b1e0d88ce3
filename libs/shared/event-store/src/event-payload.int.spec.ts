import fc from 'fast-check';
import { ValidationError } from '@trainyard/kernel';
import { createTestContext, hostileText } from '@trainyard/testing';
import type { TestContext } from '@trainyard/testing';
import { appendInTransaction } from './append-in-transaction';
import { canonicalJson } from './canonical-json';
import { migrateEventStore } from './event-store.migrations';
import { freshStreamId, newEvent } from './new-event.fixture';
import { createEventStore, type PostgresEventStore } from './postgres-event-store';

// Whatever a library caller appends, PostgreSQL is never sent a value it refuses: the append is
// stored whole and reads back as written, or it is a ValidationError naming the field and nothing
// is written. Run against the real server, with generated hostile stream ids and data.
let ctx: TestContext;
let store: PostgresEventStore;
let grouped: PostgresEventStore;

beforeAll(async () => {
  ctx = await createTestContext('event_payload');
  await migrateEventStore(ctx.pool, ctx.schema);
  store = createEventStore(ctx.pool, ctx.schema, { crossProcessSignal: false });
  grouped = createEventStore(ctx.pool, ctx.schema, {
    crossProcessSignal: false,
    groupCommit: true,
  });
});

afterAll(async () => {
  await store.close();
  await grouped.close();
  await ctx.dispose();
});

async function storedEvents(): Promise<number> {
  const { rows } = await ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
  return rows[0]!.n;
}

const text = hostileText(['workload-1'], ['\\u0000', '\\\\u0000', 'a\\ud800']);
const data = fc.dictionary(
  text,
  fc.oneof(text, fc.integer(), fc.array(text, { maxLength: 3 }), fc.constant(null)),
  { maxKeys: 4 },
);

it('stores an append whole and as written, or refuses it with a ValidationError and writes nothing (generated input)', async () => {
  let [accepted, refused] = [0, 0];
  await fc.assert(
    fc.asyncProperty(
      text, // '' among its strings
      data,
      fc.boolean(),
      async (streamId, value, group) => {
        const before = await storedEvents();
        // Grouped appends are those at an exact version ('any' goes alone).
        const version = group
          ? await store.readStream(streamId).then(
              (e) => e.length,
              () => 0,
            )
          : 'any';
        const error = await (group ? grouped : store)
          .append(streamId, [newEvent('Noted', value)], version)
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        const added = (await storedEvents()) - before;
        if (error === undefined) accepted++;
        else refused++;
        const stored = error === undefined ? await store.readStream(streamId) : [];
        expect(
          error === undefined
            ? { added, asWritten: canonicalJson(stored.at(-1)?.data) === canonicalJson(value) }
            : {
                added,
                validation: error instanceof ValidationError,
                field: /^(streamId|events\[0\]\.data)/.test((error as ValidationError).field),
              },
        ).toEqual(
          error === undefined
            ? { added: 1, asWritten: true }
            : { added: 0, validation: true, field: true },
        );
      },
    ),
    { numRuns: 120 },
  );
  expect({ accepted: accepted > 0, refused: refused > 0 }).toEqual({
    accepted: true,
    refused: true,
  });
});

it('refuses to read a stream whose id no append could have stored', async () => {
  const near = `near-${freshStreamId()}`;
  await store.append(`${near}\uFFFD`, [newEvent('A', {})], 'no_stream');
  for (const streamId of [`${near}\u0000`, `${near}\uD800`, ''])
    await expect(store.readStream(streamId)).rejects.toBeInstanceOf(ValidationError);
  expect(await store.readStream(`${near}\uFFFD`)).toHaveLength(1);
});

it('refuses an unstorable event of appendInTransaction before sending anything: the transaction goes on', async () => {
  const client = await ctx.pool.connect();
  try {
    await client.query('BEGIN');
    const good = { streamId: freshStreamId('tx'), expectedVersion: 0, events: [newEvent('A', {})] };
    const bad = {
      streamId: freshStreamId('tx'),
      expectedVersion: 0,
      events: [newEvent('A', {}), newEvent('B', { note: 'a\u0000b' })],
    };
    const error = await appendInTransaction(client, ctx.schema, [good, bad]).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'appends[1].events[1].data.note' });
    expect(await appendInTransaction(client, ctx.schema, [good])).toBe(1);
    await client.query('COMMIT');
    expect(await store.readStream(good.streamId)).toHaveLength(1);
    expect(await store.readStream(bad.streamId)).toHaveLength(0);
  } finally {
    client.release();
  }
});
