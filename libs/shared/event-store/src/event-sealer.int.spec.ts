import { generateKeyPairSync, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { PoolClient } from 'pg';
import { waitFor } from '@trainyard/testing';
import { EventSealer } from './event-sealer';
import { eventStoreSchemas } from './event-store-schemas.fixture';
import { freshStreamId, newEvent } from './new-event.fixture';
import { verifyEventLog } from './verify-log';
import { CheckpointSigner, verifySignedCheckpoint } from './signed-checkpoint';
import type { SignedTreeCheckpoint } from './signed-checkpoint';

const schemas = eventStoreSchemas('event_sealer');
/** A schema no test creates. */
const MISSING_SCHEMA = 'event_sealer_missing';

/** A fresh event store schema per test, so seal counts start from zero. */
const freshStore = (crossProcessSignal = false) => schemas.freshStore({ crossProcessSignal });

async function sealedPositions(schema: string): Promise<bigint[]> {
  const { rows } = await schemas.pool.query<{ position: string }>(
    `SELECT e.position::text AS position FROM "${schema}".events e ORDER BY e.transaction_id, e.position
      LIMIT (SELECT coalesce(max(tree_size), 0) FROM "${schema}".event_tree_batches)`,
  );
  return rows.map((r) => BigInt(r.position));
}

async function countEvents(schema: string): Promise<number> {
  const { rows } = await schemas.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${schema}".events`,
  );
  return rows[0]!.n;
}

/** Seals until `expected` events are, polling past other tests' transactions that hold the frontier back. */
async function sealUntil(sealer: EventSealer, expected: number): Promise<number> {
  let sealed = 0;
  await waitFor(async () => (sealed += await sealer.sealPending()) >= expected, {
    description: `${expected} events sealed`,
  });
  return sealed;
}

async function insertDirectly(client: PoolClient, schema: string): Promise<bigint> {
  const { rows } = await client.query<{ position: string }>(
    `INSERT INTO "${schema}".events (stream_id, stream_version, event_type, data, metadata)
     VALUES ($1, 1, 'SlowlyCommitted', '{}', $2) RETURNING position::text AS position`,
    [
      freshStreamId('slow'),
      JSON.stringify({ eventId: randomUUID(), correlationId: 'c', actor: 'user:slow' }),
    ],
  );
  return BigInt(rows[0]!.position);
}

async function listeners(schema: string): Promise<number> {
  const { rows } = await schemas.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1 AND state = 'idle'`,
    [`LISTEN "${schema}.events"`],
  );
  return rows[0]!.n;
}

describe('sealPending', () => {
  it('seals in commit order and never past a transaction still in flight', async () => {
    const { schema, store } = await freshStore();
    const early = await store.append(freshStreamId(), [
      newEvent('Early', {}),
      newEvent('Early', {}),
    ]);
    const sealer = new EventSealer(schemas.pool, schema);
    expect(await sealUntil(sealer, 2)).toBe(2);

    // A transaction takes its xid before later appends, but writes and commits after them.
    const client = await schemas.pool.connect();
    let slowPosition: bigint;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_current_xact_id()');
      const later = await store.append(freshStreamId(), [
        newEvent('Later', {}),
        newEvent('Later', {}),
        newEvent('Later', {}),
      ]);
      slowPosition = await insertDirectly(client, schema);

      expect(await sealer.sealPending()).toBe(0);
      expect(await verifyEventLog(schemas.pool, schema)).toMatchObject({
        ok: true,
        checked: 2,
        unsealed: 3,
      });

      await client.query('COMMIT');
      expect(await sealUntil(sealer, 4)).toBe(4);
      expect(await sealedPositions(schema)).toEqual([
        early.firstPosition,
        early.lastPosition,
        slowPosition,
        later.firstPosition,
        later.firstPosition + 1n,
        later.lastPosition,
      ]);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
    expect(await verifyEventLog(schemas.pool, schema)).toMatchObject({
      ok: true,
      checked: 6,
      unsealed: 0,
    });
  });

  it('leaves nothing of an aborted transaction in the tree', async () => {
    const { schema, store } = await freshStore();
    const sealer = new EventSealer(schemas.pool, schema);
    const client = await schemas.pool.connect();
    try {
      await client.query('BEGIN');
      await insertDirectly(client, schema);
      await store.append(freshStreamId(), [newEvent('Kept', {})]);
      expect(await sealer.sealPending()).toBe(0);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await sealUntil(sealer, 1)).toBe(1);
    expect(await verifyEventLog(schemas.pool, schema)).toMatchObject({ ok: true, checked: 1 });
  });

  it('keeps one tree when several sealers race with each other and with appenders', async () => {
    const { schema, store } = await freshStore();
    const sealers = Array.from(
      { length: 4 },
      () => new EventSealer(schemas.pool, schema, { batchSize: 7 }),
    );
    let appending = true;
    let sealedWhileAppending = 0;
    const racing = sealers.map(async (sealer) => {
      while (appending) {
        const sealed = await sealer.sealPending();
        sealedWhileAppending += sealed;
      }
    });
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 15; i++)
          await store.append(`w-${w}-${i % 2}`, [newEvent('Raced', { w, i })]);
      }),
    );
    appending = false;
    await Promise.all(racing);

    const total = await countEvents(schema);
    expect(total).toBe(120);
    expect(
      sealedWhileAppending + (await sealUntil(sealers[0]!, total - sealedWhileAppending)),
    ).toBe(total);
    const { rows } = await schemas.pool.query<{ n: number; max: string }>(
      `SELECT coalesce(max(tree_size), 0)::int AS n, (count(*) <= $1)::text AS max FROM "${schema}".event_tree_batches`,
      [total],
    );
    expect(rows[0]).toEqual({ n: total, max: 'true' });
    expect(await verifyEventLog(schemas.pool, schema)).toMatchObject({
      ok: true,
      checked: total,
      unsealed: 0,
    });
  });

  // Whatever JSON jsonb stores and prints back (numbers, escapes, key orders, non-ASCII), the leaf
  // the sealer hashes must be the one the verifier recomputes.
  it('seals any JSON data with the leaves the verifier recomputes from it', async () => {
    const { schema, store } = await freshStore();
    const storable = (value: unknown): boolean => !JSON.stringify(value).includes('\\u0000');
    const values = [
      ...fc.sample(fc.jsonValue(), { numRuns: 200, seed: 20261206 }),
      ...fc.sample(fc.jsonValue({ stringUnit: 'grapheme' }), { numRuns: 100, seed: 20261206 }),
    ];
    const events = values
      .filter(storable)
      .map((value, i) =>
        newEvent('Generated', { value, [`k${i % 7}`]: [i, { 'a b': 1.5, a: value }] }),
      );
    for (let i = 0; i < events.length; i += 50)
      await store.append(freshStreamId(), events.slice(i, i + 50), 0);
    const sealer = new EventSealer(schemas.pool, schema, { batchSize: 64 });
    expect(await sealUntil(sealer, events.length)).toBe(events.length);
    expect(await verifyEventLog(schemas.pool, schema)).toMatchObject({
      ok: true,
      checked: events.length,
    });
  });

  it('fails with the database error when the schema has no event store', async () => {
    await expect(new EventSealer(schemas.pool, MISSING_SCHEMA).sealPending()).rejects.toThrow(
      /does not exist/,
    );
  });

  it('refuses invalid options and schema names', () => {
    expect(() => new EventSealer(schemas.pool, 'Robert"; DROP')).toThrow(
      'invalid event store schema name',
    );
    expect(() => new EventSealer(schemas.pool, MISSING_SCHEMA, { intervalMs: 0 })).toThrow(
      'intervalMs',
    );
  });
});

describe('start/stop', () => {
  it('seals soon after an append of another process, woken by NOTIFY rather than its poll', async () => {
    const { schema, store } = await freshStore(true);
    const sealer = new EventSealer(schemas.pool, schema, { intervalMs: 60_000 });
    sealer.start();
    try {
      await waitFor(async () => (await listeners(schema)) > 0, {
        description: "the sealer's LISTEN connection",
      });
      await store.append(freshStreamId(), [newEvent('Noticed', {}), newEvent('Noticed', {})]);
      await waitFor(async () => (await sealedPositions(schema)).length === 2, {
        timeoutMs: 5_000,
        description: 'events sealed',
      });
      await store.append(freshStreamId(), [newEvent('Noticed', {})]);
      await waitFor(async () => (await sealedPositions(schema)).length === 3, {
        timeoutMs: 5_000,
        description: 'next event sealed',
      });
    } finally {
      const stopping = Date.now();
      await sealer.stop();
      // stop() cuts the 60 s sleep short.
      expect(Date.now() - stopping).toBeLessThan(2_000);
    }
    await waitFor(async () => (await listeners(schema)) === 0, {
      description: 'the LISTEN connection closed',
    });
    expect(await verifyEventLog(schemas.pool, schema)).toMatchObject({ ok: true, checked: 3 });
  });

  it('polls when not woken, and two running sealers keep one tree', async () => {
    const { schema, store } = await freshStore();
    const sealers = [1, 2].map(
      () =>
        new EventSealer(schemas.pool, schema, {
          intervalMs: 50,
          wakeOnAppend: false,
          batchSize: 5,
        }),
    );
    for (const sealer of sealers) sealer.start();
    try {
      for (let i = 0; i < 6; i++)
        await store.append(freshStreamId(), [newEvent('Polled', {}), newEvent('Polled', {})]);
      await waitFor(async () => (await sealedPositions(schema)).length === 12, {
        timeoutMs: 5_000,
        description: 'events sealed',
      });
    } finally {
      await Promise.all(sealers.map((sealer) => sealer.stop()));
    }
    expect(await listeners(schema)).toBe(0);
    expect(await verifyEventLog(schemas.pool, schema)).toMatchObject({ ok: true, checked: 12 });
  });

  it('looks again soon, not at its poll interval, while committed events wait behind a transaction in flight', async () => {
    const { schema, store } = await freshStore();
    await store.append(freshStreamId(), [newEvent('BeforeTheSlowOne', {})]);
    const slow = await schemas.pool.connect();
    // Not woken by appends and polling every 2 minutes: only the pass's "events wait beyond the
    // frontier" answer can bring the next pass within the test's time.
    const sealer = new EventSealer(schemas.pool, schema, {
      intervalMs: 120_000,
      minIntervalMs: 20,
      wakeOnAppend: false,
    });
    try {
      await slow.query('BEGIN');
      await insertDirectly(slow, schema);
      await store.append(freshStreamId(), [newEvent('BehindTheSlowOne', {})]);
      sealer.start();
      await waitFor(async () => (await sealedPositions(schema)).length >= 1, {
        timeoutMs: 45_000,
        description: 'the event committed before the slow transaction sealed',
      });
      expect(await sealedPositions(schema)).toHaveLength(1);
      await slow.query('COMMIT');
      await waitFor(async () => (await sealedPositions(schema)).length === 3, {
        timeoutMs: 45_000,
        description: 'the slow transaction and the event behind it sealed',
      });
    } finally {
      await slow.query('ROLLBACK').catch(() => undefined);
      slow.release();
      await sealer.stop();
    }
    expect(await verifyEventLog(schemas.pool, schema)).toMatchObject({ ok: true, checked: 3 });
  }, 120_000);

  it('reports pass errors to onError and keeps running', async () => {
    const errors: unknown[] = [];
    const sealer = new EventSealer(schemas.pool, MISSING_SCHEMA, {
      intervalMs: 20,
      wakeOnAppend: false,
      onError: (error) => errors.push(error),
    });
    sealer.start();
    try {
      await waitFor(() => errors.length >= 2, { description: 'two failed passes' });
    } finally {
      await sealer.stop();
    }
    expect(String(errors[0])).toMatch(/does not exist/);
  });

  it('signs checkpoints in the background, and keeps sealing while a publisher fails', async () => {
    const { schema, store } = await freshStore();
    const signer = new CheckpointSigner(
      'trainyard.test/sealer',
      generateKeyPairSync('ed25519').privateKey,
    );
    const published: SignedTreeCheckpoint[] = [];
    const errors: unknown[] = [];
    let brokerDown = true;
    const sealer = new EventSealer(schemas.pool, schema, {
      intervalMs: 50,
      minIntervalMs: 10,
      wakeOnAppend: false,
      onError: (error) => errors.push(error),
      checkpoints: {
        signer,
        intervalMs: 50,
        publishers: [
          (checkpoint) => {
            if (brokerDown) return Promise.reject(new Error('broker down'));
            published.push(checkpoint);
            return Promise.resolve();
          },
        ],
      },
    });
    await store.append(freshStreamId(), [newEvent('A', {}), newEvent('A', {})]);
    sealer.start();
    try {
      await waitFor(() => errors.length > 0, { description: 'a failed publication reported' });
      await waitFor(async () => (await sealedPositions(schema)).length === 2, {
        description: 'sealing goes on',
      });
      brokerDown = false;
      await waitFor(() => published.some((checkpoint) => checkpoint.treeSize === 2), {
        description: 'the checkpoint of 2 events published',
      });
    } finally {
      await sealer.stop();
    }
    expect(String(errors[0])).toMatch(/broker down/);
    const latest = published.find((checkpoint) => checkpoint.treeSize === 2)!;
    expect(verifySignedCheckpoint(latest.note, signer.verifierKey)).toMatchObject({
      origin: 'trainyard.test/sealer',
      treeSize: 2,
    });
  });
});
