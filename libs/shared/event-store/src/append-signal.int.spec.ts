// AppendSignal's LISTEN connection on a real PostgreSQL, broken between connecting and its LISTEN
// (a proxy that cuts the connection at its first query): the break is reported, close() resolves,
// and the next append opens a listener that hears another process's NOTIFY.
import { Pool } from 'pg';
import {
  createTestContext,
  postgresProxy,
  waitFor,
  type PostgresProxy,
  type TestContext,
} from '@trainyard/testing';
import { AppendSignal } from './append-signal';
import { channelName } from './schema-name';

describe('AppendSignal: a LISTEN connection that breaks before its LISTEN', () => {
  let ctx: TestContext;
  let proxy: PostgresProxy;
  let proxied: Pool;
  beforeAll(async () => {
    ctx = await createTestContext('append_signal');
    proxy = await postgresProxy();
    proxied = new Pool({ connectionString: proxy.url(ctx.databaseUrl) });
  });
  afterAll(async () => {
    await proxied.end();
    await proxy.cut();
    await ctx.dispose();
  });

  it('is reported and closed, close() resolves, and the next append listens again', async () => {
    const errors: unknown[] = [];
    const signal = new AppendSignal(proxied, ctx.schema, (e) => errors.push(e), true, 20);
    proxy.cutAtNextFirstQuery();
    let wakes = 0;
    signal.subscribe(() => wakes++);
    await waitFor(() => errors.length > 0, {
      timeoutMs: 10_000,
      description: 'the broken LISTEN connection reported',
    });
    expect(String(errors[0])).toMatch(/Connection terminated|ECONNRESET|closed/i);

    // An append here reopens the listener (the proxy passes this one); another process's
    // NOTIFY then wakes the subscriber.
    signal.appended();
    const woken = wakes;
    await waitFor(
      async () => {
        await ctx.pool.query(`SELECT pg_notify($1, '')`, [channelName(ctx.schema)]);
        return wakes > woken;
      },
      { timeoutMs: 10_000, description: 'a NOTIFY heard by the reopened listener' },
    );
    await expect(signal.close()).resolves.toBeUndefined();
  });
});

// Regression: the announcement was SELECT pg_notify(channel, ''), which refuses a channel name over
// 63 bytes, while LISTEN truncates it; a store whose schema name has 57 or more characters never
// woke another process's subscribers and reported every attempt as a background error.
describe('AppendSignal: a schema name of 63 characters', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext('append_signal_long');
  });
  afterAll(() => ctx.dispose());

  it("announces its appends to another process's listener", async () => {
    const schema = `${ctx.schema}_`.padEnd(63, 'x');
    const announcerErrors: unknown[] = [];
    const announcer = new AppendSignal(ctx.pool, schema, (e) => announcerErrors.push(e), true, 20);
    const listener = new AppendSignal(ctx.pool, schema, () => undefined, true, 20);
    let wakes = 0;
    listener.subscribe(() => wakes++);
    try {
      // Announce until the listener's LISTEN is in place and hears one.
      await waitFor(
        () => {
          announcer.appended();
          return wakes > 0;
        },
        { timeoutMs: 10_000, description: 'the announcement heard by the other listener' },
      );
      expect(announcerErrors).toEqual([]);
    } finally {
      await announcer.close();
      await listener.close();
    }
  });
});
