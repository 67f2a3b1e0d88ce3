import { createTestContext, waitFor } from '@trainyard/testing';
import type { TestContext } from '@trainyard/testing';
import { EventSealer } from './event-sealer';
import { migrateEventStore } from './event-store.migrations';
import { freshStreamId, newEvent } from './new-event.fixture';
import { createEventStore } from './postgres-event-store';

// The audit trail relies on these guards: plain SQL, even as a superuser, cannot rewrite history.
let ctx: TestContext;
let snapshot: { events: unknown[]; seals: unknown[] };

async function tables(): Promise<{ events: unknown[]; seals: unknown[] }> {
  const events = await ctx.pool.query('SELECT * FROM events ORDER BY position');
  const seals = await ctx.pool.query('SELECT * FROM event_tree_batches ORDER BY tree_size');
  return { events: events.rows, seals: seals.rows };
}

beforeAll(async () => {
  ctx = await createTestContext('immutability');
  await migrateEventStore(ctx.pool, ctx.schema);
  const store = createEventStore(ctx.pool, ctx.schema, { crossProcessSignal: false });
  await store.append(freshStreamId(), [
    newEvent('Recorded', { n: 1 }),
    newEvent('Recorded', { n: 2 }),
  ]);
  await store.close();
  // Another test's transaction in this database may hold the commit frontier back for a moment.
  const sealer = new EventSealer(ctx.pool, ctx.schema);
  let sealed = 0;
  await waitFor(async () => (sealed += await sealer.sealPending()) >= 2, {
    description: 'events sealed',
  });
  snapshot = await tables();
});

afterAll(async () => {
  await ctx.dispose();
});

const statements: ReadonlyArray<[string, string]> = [
  ['UPDATE events', `UPDATE events SET data = '{"n": 99}'`],
  [
    'UPDATE events (metadata only)',
    `UPDATE events SET metadata = metadata || '{"actor": "user:mallory"}'`,
  ],
  ['DELETE FROM events', 'DELETE FROM events WHERE stream_version = 2'],
  ['TRUNCATE events', 'TRUNCATE events'],
  ['UPDATE event_tree_batches', `UPDATE event_tree_batches SET root_hash = sha256('forged')`],
  ['DELETE FROM event_tree_batches', 'DELETE FROM event_tree_batches'],
  ['TRUNCATE event_tree_batches', 'TRUNCATE event_tree_batches'],
  ['TRUNCATE both', 'TRUNCATE events, event_tree_batches'],
];

describe.each([
  ['a normal session', 'origin'],
  ['session_replication_role = replica', 'replica'],
])('in %s', (_label, role) => {
  it.each(statements)('%s is refused and changes nothing', async (_name, sql) => {
    const client = await ctx.pool.connect();
    try {
      await client.query(`SET session_replication_role = ${role}`);
      await expect(client.query(sql)).rejects.toMatchObject({
        code: '42501',
        message: expect.stringMatching(
          /is append-only: (UPDATE|DELETE|TRUNCATE) refused/,
        ) as unknown,
      });
    } finally {
      await client.query('RESET session_replication_role');
      client.release();
    }
    expect(await tables()).toEqual(snapshot);
  });
});

it('still accepts appends (INSERT is the only change allowed)', async () => {
  const store = createEventStore(ctx.pool, ctx.schema, { crossProcessSignal: false });
  await store.append(freshStreamId(), [newEvent('Recorded', { n: 3 })]);
  await store.close();
  expect((await tables()).events).toHaveLength(3);
});
