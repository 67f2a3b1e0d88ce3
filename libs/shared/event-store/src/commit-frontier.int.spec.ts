import { Client } from 'pg';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { COMMIT_FRONTIER } from './commit-frontier.sql';

/** A connection holding an open transaction that has taken a transaction id, in the database at `url`. */
async function openTransaction(url: string): Promise<{ xid: bigint; end(): Promise<void> }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  const { rows } = await client.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
  return {
    xid: BigInt(rows[0]!.xid),
    end: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

/** The same server's maintenance database: a database other than the test's. */
function otherDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

describe('COMMIT_FRONTIER', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext('commit_frontier');
  });
  afterAll(() => ctx.dispose());

  const frontier = async () =>
    BigInt(
      (await ctx.pool.query<{ f: string }>(`SELECT ${COMMIT_FRONTIER}::text AS f`)).rows[0]!.f,
    );

  it('stays at or below a transaction of this database that is still open', async () => {
    const open = await openTransaction(ctx.databaseUrl);
    try {
      expect(await frontier()).toBeLessThanOrEqual(open.xid);
    } finally {
      await open.end();
    }
  });

  // Why: a long transaction in another database of the server (a bulk load, another service's
  // benchmark) must not hold back this database's subscriptions and sealer. The frontier passes
  // the open transaction once this database's own older transactions (other spec files') end;
  // a frontier that counted it would stay at or below it until it ends, which it does not here.
  it('moves past an open transaction of another database', async () => {
    const open = await openTransaction(otherDatabaseUrl(ctx.databaseUrl));
    try {
      const passed = await waitFor(
        async () => {
          const f = await frontier();
          return f > open.xid ? f : undefined;
        },
        { description: `the frontier past ${open.xid}, open in another database` },
      );
      expect(passed).toBeGreaterThan(open.xid);
    } finally {
      await open.end();
    }
  });
});
