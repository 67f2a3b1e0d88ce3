import { migrateSchema } from '@trainyard/event-store';
import { SCHEDULING_READ_MODEL_MIGRATIONS } from '@trainyard/scheduling-read-models';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { PgPoolSlots } from './pg-pool-slots';

/** Against the real PostgreSQL: leases, fencing tokens, expiry, all-or-nothing, no deadlock. */
let ctx: TestContext;
let slots: PgPoolSlots;

const definePool = (key: string, n: number) =>
  ctx.pool.query(
    `INSERT INTO job_pools (pool_key, slots, high_load_reservations, defined_by, defined_at, updated_by, updated_at, version)
     VALUES ($1, $2, '[]', 'test', 'now', 'test', 'now', 1)
     ON CONFLICT (pool_key) DO UPDATE SET slots = excluded.slots`,
    [key, n],
  );
const leasesOf = async (key: string) =>
  (
    await ctx.pool.query<{ holder: string; fencing_token: string }>(
      `SELECT holder, fencing_token FROM job_pool_leases WHERE pool_key = $1 AND expires_at > clock_timestamp()`,
      [key],
    )
  ).rows;
const lastToken = async (key: string) =>
  Number(
    (
      await ctx.pool.query<{ t: string }>(
        `SELECT last_token AS t FROM job_pool_tokens WHERE pool_key = $1`,
        [key],
      )
    ).rows[0]?.t ?? 0,
  );

beforeAll(async () => {
  ctx = await createTestContext('pool_slots');
  await migrateSchema(ctx.pool, ctx.schema, [SCHEDULING_READ_MODEL_MIGRATIONS]);
  slots = new PgPoolSlots(ctx.pool, ctx.schema);
});
afterAll(async () => {
  await ctx?.dispose();
});

describe('PgPoolSlots', () => {
  it('concurrent acquirers never hold more slots than the pool has, and every token is handed out once', async () => {
    await definePool('db:payments', 2);
    let holding = 0;
    let most = 0;
    const tokens: number[] = [];
    const worker = async (w: number) => {
      for (let grants = 0; grants < 5;) {
        const holder = `w${w}-g${grants}`;
        const got = await slots.tryAcquire([{ pool: 'db:payments', slots: 1 }], holder, 60_000);
        if (!got) continue;
        holding += 1;
        most = Math.max(most, holding);
        expect((await leasesOf('db:payments')).length).toBeLessThanOrEqual(2);
        tokens.push(got['db:payments']!);
        holding -= 1;
        await slots.release(holder);
        grants += 1;
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    expect(most).toBeLessThanOrEqual(2);
    expect(tokens).toHaveLength(40);
    // Each grant took the next token under the pool's lock: all distinct, none skipped.
    expect([...tokens].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('fencing tokens strictly increase across grants of one pool', async () => {
    await definePool('db:ledger', 1);
    const seen: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const got = await slots.tryAcquire([{ pool: 'db:ledger', slots: 1 }], `h${i}`, 60_000);
      seen.push(got!['db:ledger']!);
      await slots.release(`h${i}`);
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(5);
  });

  it('an expired lease is reclaimed by the next acquirer, with a newer token; renewing it later revives nothing', async () => {
    await definePool('db:expiry', 1);
    const first = await slots.tryAcquire([{ pool: 'db:expiry', slots: 1 }], 'dies', 300);
    expect(first).toBeDefined();
    expect(
      await slots.tryAcquire([{ pool: 'db:expiry', slots: 1 }], 'next', 60_000),
    ).toBeUndefined();
    const second = await waitFor(
      () => slots.tryAcquire([{ pool: 'db:expiry', slots: 1 }], 'next', 60_000),
      { timeoutMs: 30_000, description: 'the expired lease to be reclaimed' },
    );
    expect(second['db:expiry']!).toBeGreaterThan(first!['db:expiry']!);
    await slots.renew('dies', 60_000);
    expect((await leasesOf('db:expiry')).map((l) => l.holder)).toEqual(['next']);
  });

  it('renew keeps a live lease from expiring', async () => {
    await definePool('db:renew', 1);
    await slots.tryAcquire([{ pool: 'db:renew', slots: 1 }], 'alive', 60_000);
    await slots.renew('alive', 120_000);
    const { rows } = await ctx.pool.query<{ left: number }>(
      `SELECT extract(epoch FROM expires_at - clock_timestamp())::float AS left FROM job_pool_leases WHERE holder = 'alive'`,
    );
    expect(rows[0]!.left).toBeGreaterThan(60);
  });

  it('all or nothing: a claim on two pools, one full, takes neither and spends no token', async () => {
    await definePool('pool:x', 1);
    await definePool('pool:y', 1);
    await slots.tryAcquire([{ pool: 'pool:y', slots: 1 }], 'holds-y', 60_000);
    const xBefore = await lastToken('pool:x');
    expect(
      await slots.tryAcquire(
        [
          { pool: 'pool:x', slots: 1 },
          { pool: 'pool:y', slots: 1 },
        ],
        'both',
        60_000,
      ),
    ).toBeUndefined();
    expect(await leasesOf('pool:x')).toEqual([]);
    expect(await lastToken('pool:x')).toBe(xBefore);
    expect(await slots.tryAcquire([{ pool: 'pool:x', slots: 1 }], 'only-x', 60_000)).toBeDefined();
  });

  it('acquirers of the same pools in opposite orders never deadlock', async () => {
    await definePool('pool:a', 3);
    await definePool('pool:b', 3);
    const results = await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        const claims =
          i % 2 === 0
            ? [
                { pool: 'pool:a', slots: 1 },
                { pool: 'pool:b', slots: 1 },
              ]
            : [
                { pool: 'pool:b', slots: 1 },
                { pool: 'pool:a', slots: 1 },
              ];
        for (;;) {
          const got = await slots.tryAcquire(claims, `ab-${i}`, 60_000);
          if (got) {
            await slots.release(`ab-${i}`);
            return got;
          }
        }
      }),
    );
    expect(results).toHaveLength(16);
  });

  it("acquired in the caller's transaction, a rollback leaves no lease", async () => {
    await definePool('db:tx', 1);
    const client = await ctx.pool.connect();
    try {
      await client.query('BEGIN');
      expect(
        await slots.tryAcquire([{ pool: 'db:tx', slots: 1 }], 'tx', 60_000, client),
      ).toBeDefined();
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await leasesOf('db:tx')).toEqual([]);
    expect(await slots.tryAcquire([{ pool: 'db:tx', slots: 1 }], 'after', 60_000)).toBeDefined();
  });

  it('a pool nobody defined is unlimited, yet leased and fenced; free slots list only defined pools', async () => {
    const a = await slots.tryAcquire([{ pool: 'undefined:pool', slots: 50 }], 'u1', 60_000);
    const b = await slots.tryAcquire([{ pool: 'undefined:pool', slots: 50 }], 'u2', 60_000);
    expect(b!['undefined:pool']!).toBeGreaterThan(a!['undefined:pool']!);
    await definePool('db:free', 3);
    await slots.tryAcquire([{ pool: 'db:free', slots: 2 }], 'f', 60_000);
    const free = await slots.freeSlots();
    expect(free['db:free']).toBe(1);
    expect(free['undefined:pool']).toBeUndefined();
  });
});
