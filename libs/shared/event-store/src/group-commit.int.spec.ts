import { eventStoreSchemas } from './event-store-schemas.fixture';
import { appendStatements } from './stream-append.sql';
import type { AppendResult } from './event-store.types';
import { freshStreamId, newEvent } from './new-event.fixture';
import type { PostgresEventStore } from './postgres-event-store';
import { WrongExpectedVersion } from './wrong-expected-version.error';

// Group commit (groupCommit): the appends at an exact version made in one turn of the event loop
// go out together when it ends, in one statement and one transaction. Each must still be checked
// at its own version and answered on its own, and none may be half-written. Appends called one
// after the other without an await between them are in one turn, so the groups below are exact.
const schemas = eventStoreSchemas('event_store_group_commit');
let store: PostgresEventStore;

beforeAll(async () => {
  let schema: string;
  ({ store, schema } = await schemas.freshStore({ crossProcessSignal: false, groupCommit: true }));
  // The store refuses what PostgreSQL cannot store before sending it; this constraint is a refusal
  // only the server can make, for the case of one append in a group failing on its own value.
  await schemas.pool.query(
    `ALTER TABLE "${schema}".events ADD CONSTRAINT refused_by_the_server CHECK (NOT data ? 'refuse')`,
  );
});

const outcome = (append: Promise<AppendResult>) =>
  append.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );

async function versionsOf(streamId: string): Promise<number[]> {
  return (await store.readStream(streamId)).map((e) => e.streamVersion);
}

it('sends the appends of one turn together: one transaction, each at its own versions and positions', async () => {
  const [a, b, c] = ['a', 'b', 'c'].map((s) => freshStreamId(s)) as [string, string, string];
  const existing = freshStreamId('existing');
  const alone = await store.append(existing, [newEvent('Opened', {})], 'no_stream');

  const grouped = await Promise.all([
    store.append(a, [newEvent('Opened', { n: 1 })], 'no_stream'),
    store.append(
      b,
      [1, 2, 3].map((n) => newEvent('Added', { n })),
      'no_stream',
    ),
    store.append(c, [newEvent('Opened', { n: 4 })], 'no_stream'),
    store.append(existing, [newEvent('Closed', {})], 1),
  ]);

  expect(new Set(grouped.map((r) => r.transactionId)).size).toBe(1);
  expect(grouped[0].transactionId).not.toBe(alone.transactionId);
  expect(grouped.map((r) => r.nextExpectedVersion)).toEqual([1, 3, 1, 2]);
  const stored = await store.readStream(b);
  expect(stored.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
  expect(stored.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  expect(grouped[1]).toMatchObject({
    firstPosition: stored[0]!.position,
    lastPosition: stored[2]!.position,
    transactionId: stored[0]!.transactionId,
  });
  expect(await versionsOf(existing)).toEqual([1, 2]);
});

it('sends an append of a later turn on its own', async () => {
  const [a, b] = [freshStreamId('a'), freshStreamId('b')];
  const first = await store.append(a, [newEvent('Opened', {})], 'no_stream');
  const second = await store.append(b, [newEvent('Opened', {})], 'no_stream');
  expect(second.transactionId).not.toBe(first.transactionId);
});

it('answers an append whose version check fails in a group with WrongExpectedVersion, and writes the others', async () => {
  const behind = freshStreamId('behind');
  await store.append(behind, [newEvent('Opened', {})], 'no_stream');
  const fresh = freshStreamId('fresh');

  const [stale, written] = await Promise.all([
    outcome(store.append(behind, [newEvent('Added', {}), newEvent('Added', {})], 5)),
    outcome(store.append(fresh, [newEvent('Opened', {})], 'no_stream')),
  ]);

  expect(stale).toEqual({ error: expect.any(WrongExpectedVersion) });
  expect((stale as { error: WrongExpectedVersion }).error).toMatchObject({
    streamId: behind,
    actual: 1,
  });
  expect(written).toMatchObject({ result: { streamId: fresh, nextExpectedVersion: 1 } });
  expect(await versionsOf(behind)).toEqual([1]);
  expect(await versionsOf(fresh)).toEqual([1]);
});

it('writes nothing of a group whose statement fails on a taken version, then answers each append on its own', async () => {
  const taken = freshStreamId('taken');
  await store.append(taken, [newEvent('Opened', {})], 'no_stream');
  const [a, b] = [freshStreamId('a'), freshStreamId('b')];

  const [collided, one, two] = await Promise.all([
    // Version 1 of `taken` exists: the group's INSERT fails on the key, so nothing of it is written.
    outcome(store.append(taken, [newEvent('Opened', { again: true })], 'no_stream')),
    outcome(store.append(a, [newEvent('Opened', {})], 'no_stream')),
    outcome(store.append(b, [newEvent('Opened', {}), newEvent('Added', {})], 'no_stream')),
  ]);

  expect((collided as { error: unknown }).error).toBeInstanceOf(WrongExpectedVersion);
  expect((collided as { error: WrongExpectedVersion }).error.actual).toBe(1);
  const [resultA, resultB] = [one, two].map((o) => (o as { result: AppendResult }).result);
  // Sent on their own after the group failed: each in its own transaction.
  expect(resultA!.transactionId).not.toBe(resultB!.transactionId);
  expect(await versionsOf(taken)).toEqual([1]);
  expect((await store.readStream(taken))[0]!.data).toEqual({});
  expect(await versionsOf(a)).toEqual([1]);
  expect(await versionsOf(b)).toEqual([1, 2]);
});

it("answers an append PostgreSQL cannot store with its own error, and writes the group's others", async () => {
  const [bad, good] = [freshStreamId('bad'), freshStreamId('good')];

  const [refused, written] = await Promise.all([
    // The group statement fails on this append's value alone.
    outcome(store.append(bad, [newEvent('Opened', { refuse: true })], 'no_stream')),
    outcome(store.append(good, [newEvent('Opened', {})], 'no_stream')),
  ]);

  expect(refused).toEqual({ error: expect.objectContaining({ code: '23514' }) });
  expect(written).toMatchObject({ result: { streamId: good, nextExpectedVersion: 1 } });
  expect(await versionsOf(bad)).toEqual([]);
  expect(await versionsOf(good)).toEqual([1]);
});

it('lets one of two appends to the same new stream in a group win; the other gets WrongExpectedVersion', async () => {
  const contested = freshStreamId('contested');

  const [x, y] = await Promise.all([
    outcome(store.append(contested, [newEvent('Opened', { by: 'x' })], 'no_stream')),
    outcome(store.append(contested, [newEvent('Opened', { by: 'y' })], 'no_stream')),
  ]);

  const outcomes = [x, y];
  expect(outcomes.filter((o) => 'result' in o)).toHaveLength(1);
  expect(
    outcomes.filter((o) => 'error' in o && o.error instanceof WrongExpectedVersion),
  ).toHaveLength(1);
  expect(await versionsOf(contested)).toEqual([1]);
});

it('checks the versions by index lookups, also on an empty table, never by reading the whole table', async () => {
  // A fresh schema is where the planner preferred a hashed subplan over the events table, which
  // the prepared statement then kept: each group read every event (stream-append.sql.ts).
  const schema = await schemas.freshSchema();
  const group = appendStatements(schema).appendGroup(2);
  const values = [
    ...['s-1', 1, 2, 'Added', 1, '{}', '{}'],
    ...['s-2', 0, 1, 'Opened', 1, '{}', '{}'],
  ].map((v) => (typeof v === 'string' ? `'${v}'` : String(v)));
  const client = await schemas.pool.connect();
  try {
    for (const mode of ['force_generic_plan', 'force_custom_plan']) {
      await client.query(`SET plan_cache_mode = ${mode}`);
      await client.query(`PREPARE group_check AS ${group.text}`);
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN EXECUTE group_check(${values.join(', ')})`,
      );
      await client.query('DEALLOCATE group_check');
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index (Only )?Scan using events_pkey/);
      expect(plan).not.toMatch(/hashed SubPlan|Seq Scan on events/);
    }
  } finally {
    await client.query('RESET plan_cache_mode');
    client.release();
  }
});
