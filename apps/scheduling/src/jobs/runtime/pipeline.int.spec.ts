import { createTestContext, type TestContext } from '@trainyard/testing';
import { RuntimeContext } from './runtime-context';

// The result flush's transaction on a pipelined connection (statements sent before the answers
// to the ones ahead of them): it commits only what every statement did, and a failure is reported
// as itself, not as the "transaction aborted" of the statements behind it (issue 12).
let ctx: TestContext;
let runtime: RuntimeContext;
let table: string;

beforeAll(async () => {
  ctx = await createTestContext('job_runtime_pipeline');
  table = `${ctx.schema}.pipelined`;
  await ctx.pool.query(`CREATE TABLE ${table} (id integer PRIMARY KEY)`);
  runtime = new RuntimeContext({
    pool: ctx.pool,
    schema: ctx.schema,
    catalog: { running: () => Promise.resolve([]), get: () => Promise.resolve(undefined) },
    executor: { execute: () => Promise.resolve({ outcome: 'succeeded' }) },
  });
});
afterEach(async () => {
  await ctx.pool.query(`TRUNCATE ${table}`);
});
afterAll(async () => {
  await runtime?.close();
  await ctx?.dispose();
});

const ids = async () =>
  (await ctx.pool.query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id`)).rows.map(
    (r) => r.id,
  );
const insert = (id: number) => ({ text: `INSERT INTO ${table} VALUES ($1)`, values: [id] });

it('commits a write sent behind a read, with COMMIT, when the body returns', async () => {
  const read = await runtime.pipelinedTransaction(async (tx) => {
    const [{ rows }] = await Promise.all([
      tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`),
      tx.query(insert(1)),
    ]);
    tx.send(insert(2));
    return rows[0]!.n;
  });
  expect(read).toBe(0);
  expect(await ids()).toEqual([1, 2]);
});

it('rolls back when a write sent without waiting fails, and reports that failure', async () => {
  await ctx.pool.query(`INSERT INTO ${table} VALUES (7)`);
  const failed = runtime.pipelinedTransaction(async (tx) => {
    await tx.query(insert(1));
    tx.send(insert(7)); // duplicate key
    // A port's statement behind it (a pool slot released) fails as "transaction aborted".
    await tx.client.query(insert(8));
  });
  await expect(failed).rejects.toMatchObject({ code: '23505' });
  expect(await ids()).toEqual([7]);
});

it('does not take a COMMIT for done when a failure was caught inside the transaction', async () => {
  await ctx.pool.query(`INSERT INTO ${table} VALUES (7)`);
  const failed = runtime.pipelinedTransaction(async (tx) => {
    await tx.query(insert(1));
    await tx.client.query(insert(7)).catch(() => undefined);
  });
  await expect(failed).rejects.toThrow('COMMIT answered ROLLBACK');
  expect(await ids()).toEqual([7]);
});

// The result flush gives way to a light team's start in flight (PriorityStarts): its answers are
// handed on only once that start has ended, and its transaction then commits as before.
it('hands an answer on only once the start it gives way to has ended', async () => {
  const endStart = runtime.priority.begin();
  let reached!: () => void;
  const gaveWay = new Promise<void>((resolve) => (reached = resolve));
  // Called once an answer arrived (the first is BEGIN's): the transaction waits there.
  const giveWay = runtime.priority.giveWay.bind(runtime.priority);
  runtime.priority.giveWay = () => {
    reached();
    return giveWay();
  };
  let answered = false;
  const done = runtime.givingWayTransaction(async (tx) => {
    const read = tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    void read.then(() => (answered = true));
    tx.send(insert(3));
    return (await read).rows[0]!.n;
  });
  try {
    await gaveWay;
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    endStart();
    expect(await done).toBe(0);
    expect(answered).toBe(true);
    expect(await ids()).toEqual([3]);
  } finally {
    runtime.priority.giveWay = giveWay;
    endStart();
  }
});
