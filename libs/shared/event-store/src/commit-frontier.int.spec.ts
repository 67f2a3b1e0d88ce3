import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { createTestContext, dropDatabaseOnceIdle, type TestContext } from '@trainyard/testing';
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

/** `url` with another database name. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

// The frontier is evaluated in a database of this spec's own, where nothing else runs: in the
// suite's shared test database a transaction another spec file left open would hold the frontier
// below any later one, whatever this spec opens elsewhere. Each case commits a later transaction
// itself: the frontier never passes the newest transaction id before a later one ends, and the
// first version of this spec waited for other activity on the server to provide one (it timed out
// in a CI run with nothing else writing).
describe('COMMIT_FRONTIER', () => {
  const database = `t_frontier_${randomBytes(4).toString('hex')}`;
  let ctx: TestContext;
  let url: string;
  let pool: Pool;

  beforeAll(async () => {
    ctx = await createTestContext('commit_frontier');
    await ctx.pool.query(`CREATE DATABASE ${database}`);
    url = withDatabase(ctx.databaseUrl, database);
    pool = new Pool({ connectionString: url, max: 1 });
  });

  afterAll(async () => {
    await pool?.end();
    await dropDatabaseOnceIdle(ctx.pool, database);
    await ctx.dispose();
  });

  const frontier = async () =>
    BigInt((await pool.query<{ f: string }>(`SELECT ${COMMIT_FRONTIER}::text AS f`)).rows[0]!.f);

  /**
   * Commits a transaction that took an id after `xid`: the snapshot's xmax is then past it, so a
   * frontier at or below `xid` is held there by `xid`, not merely by nothing newer having ended.
   */
  const commitLaterTransaction = async (xid: bigint) => {
    const { rows } = await pool.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
    expect(BigInt(rows[0]!.xid)).toBeGreaterThan(xid);
  };

  it('stays at or below a transaction of this database that is still open', async () => {
    const open = await openTransaction(url);
    try {
      await commitLaterTransaction(open.xid);
      expect(await frontier()).toBeLessThanOrEqual(open.xid);
    } finally {
      await open.end();
    }
  });

  // Why: a long transaction in another database of the server (a bulk load, another service's
  // benchmark) must not hold back this database's subscriptions and sealer. A frontier that
  // counted it would stay at or below it until it ends.
  it('moves past an open transaction of another database', async () => {
    const open = await openTransaction(ctx.databaseUrl);
    try {
      await commitLaterTransaction(open.xid);
      expect(await frontier()).toBeGreaterThan(open.xid);
    } finally {
      await open.end();
    }
  });
});
