// EventSealer with `worker: true` (issue 10): its passes run in a worker thread on a connection of
// its own. It must seal byte for byte the batches a sealer in the caller's thread seals, share the
// advisory lock with one, end its thread and connection on stop(), and report a pass that failed
// in the worker through onError and seal at its next pass.
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { postgresProxy, waitFor } from '@trainyard/testing';
import { EventSealer } from './event-sealer';
import { WorkerBatches, workerConnection } from './event-sealer.thread';
import { eventStoreSchemas } from './event-store-schemas.fixture';
import { freshStreamId, newEvent } from './new-event.fixture';
import { verifyEventLog } from './verify-log';

const schemas = eventStoreSchemas('sealer_worker');

/** Every column of every batch row, in tree order. */
async function batchRows(schema: string): Promise<Record<string, string | Buffer>[]> {
  const { rows } = await schemas.pool.query<Record<string, string | Buffer>>(
    `SELECT tree_size::text, start_size::text, first_node::text, last_transaction_id::text,
            last_position::text, root_hash, node_hashes
       FROM "${schema}".event_tree_batches ORDER BY tree_size`,
  );
  return rows;
}

async function sealedSize(schema: string): Promise<number> {
  const { rows } = await schemas.pool.query<{ n: number }>(
    `SELECT coalesce(max(tree_size), 0)::int AS n FROM "${schema}".event_tree_batches`,
  );
  return rows[0]!.n;
}

/** Seals until `expected` events are, polling past other tests' transactions that hold the frontier back. */
async function sealUntil(sealer: EventSealer, schema: string, expected: number): Promise<void> {
  await waitFor(async () => (await sealer.sealPending(), await sealedSize(schema)) >= expected, {
    description: `${expected} events sealed`,
  });
}

/** Connections of `applicationName` beyond the ones `pool` holds: the worker's (no LISTEN connection). */
async function workerConnections(applicationName: string, pool: Pool): Promise<number> {
  const { rows } = await schemas.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`,
    [applicationName],
  );
  return rows[0]!.n - pool.totalCount;
}

async function appendMany(
  store: Awaited<ReturnType<typeof schemas.freshStore>>['store'],
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i += 10)
    await store.append(
      freshStreamId(),
      Array.from({ length: 10 }, (_, j) =>
        newEvent('Threaded', {
          i: i + j,
          text: `é\u2028"${randomUUID()}`,
          nested: { b: [1.5, null], a: true },
        }),
      ),
      0,
    );
}

describe('EventSealer in a worker thread', () => {
  it('seals the same batch rows as a sealer in the caller thread, and shares its lock', async () => {
    const { schema, store } = await schemas.freshStore();
    await appendMany(store, 60);
    // The same events, positions and transaction ids in a second store.
    const copy = await schemas.freshSchema();
    await schemas.pool.query(
      `INSERT INTO "${copy}".events OVERRIDING SYSTEM VALUE SELECT * FROM "${schema}".events`,
    );

    const inWorker = new EventSealer(schemas.pool, schema, { batchSize: 7, worker: true });
    const inThread = new EventSealer(schemas.pool, copy, { batchSize: 7 });
    try {
      await sealUntil(inWorker, schema, 60);
      await sealUntil(inThread, copy, 60);
    } finally {
      await inWorker.stop();
    }
    expect(await batchRows(schema)).toEqual(await batchRows(copy));
    expect(await verifyEventLog(schemas.pool, schema)).toMatchObject({ ok: true, checked: 60 });

    // Passes of both kinds on one schema, racing for the lock: still one tree.
    await appendMany(store, 40);
    const racers = [
      new EventSealer(schemas.pool, schema, { batchSize: 3, worker: true }),
      new EventSealer(schemas.pool, schema, { batchSize: 3 }),
    ];
    try {
      await Promise.all(racers.map((sealer) => sealUntil(sealer, schema, 100)));
    } finally {
      await Promise.all(racers.map((sealer) => sealer.stop()));
    }
    expect(await verifyEventLog(schemas.pool, schema)).toMatchObject({
      ok: true,
      checked: 100,
      unsealed: 0,
    });
  });

  it('seals in the background and ends its thread and connection on stop()', async () => {
    const { schema, store } = await schemas.freshStore();
    const applicationName = `sealer-worker-${randomUUID().slice(0, 8)}`;
    const pool = new Pool({
      connectionString: schemas.databaseUrl,
      application_name: applicationName,
    });
    const sealer = new EventSealer(pool, schema, {
      intervalMs: 50,
      wakeOnAppend: false, // no LISTEN connection: the application name is then the worker's alone
      worker: true,
    });
    try {
      sealer.start();
      await appendMany(store, 20);
      await waitFor(async () => (await sealedSize(schema)) === 20, {
        description: 'events sealed in the background',
      });
      expect(await workerConnections(applicationName, pool)).toBe(1);
      await sealer.stop();
      await waitFor(async () => (await workerConnections(applicationName, pool)) === 0, {
        description: "the worker's connection closed",
      });
      // A stopped sealer seals again on demand, in a new worker, and stops again.
      await appendMany(store, 10);
      await sealUntil(sealer, schema, 30);
      await sealer.stop();
      await waitFor(async () => (await workerConnections(applicationName, pool)) === 0, {
        description: "the second worker's connection closed",
      });
    } finally {
      await sealer.stop();
      await pool.end();
    }
    expect(await verifyEventLog(schemas.pool, schema)).toMatchObject({ ok: true, checked: 30 });
  });

  it('reports a pass that failed in the worker to onError, and seals at the next pass', async () => {
    const { schema, store } = await schemas.freshStore();
    await appendMany(store, 10);
    const proxy = await postgresProxy();
    const pool = new Pool({ connectionString: proxy.url(schemas.databaseUrl) });
    const errors: unknown[] = [];
    // Not woken by appends: no LISTEN connection takes the proxy's cut, the worker's first one does.
    const sealer = new EventSealer(pool, schema, {
      intervalMs: 50,
      wakeOnAppend: false,
      worker: true,
      onError: (error) => errors.push(error),
    });
    proxy.cutAtNextFirstQuery();
    try {
      sealer.start();
      await waitFor(async () => (await sealedSize(schema)) === 10, {
        description: 'events sealed after the failed pass',
      });
    } finally {
      await sealer.stop();
      await pool.end();
      await proxy.cut();
    }
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toBeInstanceOf(Error);
    expect(String(errors[0])).toMatch(/Connection terminated|ECONNRESET|closed/i);
    expect(await verifyEventLog(schemas.pool, schema)).toMatchObject({ ok: true, checked: 10 });
  });

  it('fails with the database error of the worker, with its code', async () => {
    const sealer = new EventSealer(schemas.pool, 'sealer_worker_missing', { worker: true });
    try {
      await expect(sealer.sealPending()).rejects.toMatchObject({
        message: expect.stringMatching(/does not exist/),
        code: '42P01',
      });
    } finally {
      await sealer.stop();
    }
  });

  // A worker that dies must fail the passes waiting on it, not leave them hanging, and its exit
  // must not surface as an unhandled rejection (which would end a service).
  it('fails the passes of a worker that died, and starts a new worker for the next pass', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    // The worker checks the schema name it is sent at its start and throws: it dies at once.
    const batches = new WorkerBatches({
      connection: workerConnection(schemas.pool),
      schema: 'Robert"; DROP',
      batchSize: 10,
    });
    try {
      await expect(batches.seal(true)).rejects.toThrow('invalid event store schema name');
      await expect(batches.seal(false)).rejects.toThrow('invalid event store schema name');
      await batches.close();
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('refuses a pool whose options a worker thread cannot use', async () => {
    const pool = new Pool({ connectionString: schemas.databaseUrl, password: () => 'secret' });
    try {
      expect(() => new EventSealer(pool, 'sealer_worker_any', { worker: true })).toThrow(
        'password callback',
      );
    } finally {
      await pool.end();
    }
  });
});
