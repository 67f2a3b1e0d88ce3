import { execFile } from 'node:child_process';
import path from 'node:path';
import { createTestContext, waitFor } from '@trainyard/testing';
import type { TestContext } from '@trainyard/testing';
import { EventSealer } from './event-sealer';
import { migrateEventStore } from './event-store.migrations';
import { freshStreamId, newEvent } from './new-event.fixture';
import { createEventStore } from './postgres-event-store';
import { verifyEventChain } from './verify-chain';
import type { ChainVerification } from './verify-chain';

const REPO_ROOT = path.resolve(__dirname, '../../../..');

let ctx: TestContext;
const schemas: string[] = [];

beforeAll(async () => {
  ctx = await createTestContext('hash_chain');
});

afterAll(async () => {
  for (const schema of schemas) await ctx.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await ctx.dispose();
});

interface SealedStore {
  readonly schema: string;
  /** Event positions in commit-safe order, i.e. in seal order. */
  readonly positions: bigint[];
}

let nextSchema = 0;

/**
 * A fresh event store schema with 12 events over 4 streams, all sealed. Tampering destroys it, so one per test.
 * More than 9 events on purpose: a regression once sorted seals and positions as text ('10' < '9').
 */
async function sealedStore(events = 12): Promise<SealedStore> {
  const schema = `${ctx.schema}_${nextSchema++}`;
  schemas.push(schema);
  await migrateEventStore(ctx.pool, schema);
  const store = createEventStore(ctx.pool, schema, { crossProcessSignal: false });
  const streams = [freshStreamId('a'), freshStreamId('b'), freshStreamId('c'), freshStreamId('d')];
  for (let i = 0; i < events; i += 2) {
    const batch = [newEvent('AmountRecorded', { amount: i, note: { by: 'x', at: i } })];
    if (i + 1 < events)
      batch.push(newEvent('AmountRecorded', { amount: i + 1, note: { by: 'y', at: i + 1 } }));
    await store.append(streams[(i / 2) % streams.length]!, batch);
  }
  await store.close();
  await sealAll(schema, events);
  return { schema, positions: await positionsInCommitOrder(schema) };
}

/**
 * Seals until `expected` events are sealed: sealPending stops at the commit frontier, which a
 * transaction of another test in this database may briefly hold back.
 */
async function sealAll(schema: string, expected: number): Promise<void> {
  const sealer = new EventSealer(ctx.pool, schema);
  let sealed = 0;
  await waitFor(async () => (sealed += await sealer.sealPending()) >= expected, {
    description: `${expected} events sealed`,
  });
  expect(sealed).toBe(expected);
}

async function positionsInCommitOrder(schema: string): Promise<bigint[]> {
  const { rows } = await ctx.pool.query<{ position: string }>(
    `SELECT e.position::text AS position FROM "${schema}".events e ORDER BY e.transaction_id, e.position`,
  );
  return rows.map((r) => BigInt(r.position));
}

/** What an attacker with superuser rights could do: switch the guards off, then rewrite history. */
async function tamper(schema: string, sql: string, values: unknown[] = []): Promise<void> {
  const client = await ctx.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL search_path = "${schema}"`);
    await client.query('ALTER TABLE events DISABLE TRIGGER ALL');
    await client.query('ALTER TABLE event_seals DISABLE TRIGGER ALL');
    await client.query(sql, values);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

function expectTampered(result: ChainVerification, firstBadPosition: bigint, reason: RegExp): void {
  expect(result).toMatchObject({ ok: false, firstBadPosition });
  if (!result.ok) expect(result.reason).toMatch(reason);
}

describe('an untouched store', () => {
  it('verifies, and reports events newer than the last seal as not yet covered', async () => {
    const { schema, positions } = await sealedStore();

    expect(await verifyEventChain(ctx.pool, schema)).toMatchObject({
      ok: true,
      checked: 12,
      unsealed: 0,
      lastSealedPosition: positions[11],
    });

    const store = createEventStore(ctx.pool, schema, { crossProcessSignal: false });
    await store.append(freshStreamId(), [newEvent('Late', {}), newEvent('Late', {})]);
    await store.close();
    expect(await verifyEventChain(ctx.pool, schema)).toMatchObject({
      ok: true,
      checked: 12,
      unsealed: 2,
    });

    await sealAll(schema, 2);
    expect(await verifyEventChain(ctx.pool, schema)).toMatchObject({
      ok: true,
      checked: 14,
      unsealed: 0,
    });
  });

  it('verifies when empty', async () => {
    const { schema } = await sealedStore(0);
    expect(await verifyEventChain(ctx.pool, schema)).toEqual({
      ok: true,
      checked: 0,
      unsealed: 0,
      lastSealedPosition: null,
      lastSealHash: null,
    });
  });

  it('verifies microsecond timestamps and rows written outside the store', async () => {
    const { schema } = await sealedStore(0);
    // Written as a migration or an operator would: keys in odd order, a sub-millisecond timestamp in another zone.
    await ctx.pool.query(
      `INSERT INTO "${schema}".events (stream_id, stream_version, event_type, data, metadata, recorded_at)
       VALUES ('imported-1', 1, 'Imported', '{"z": 1, "a": {"y": [3, 1.5, "x"], "b": null}}',
               '{"actor": "user:ops", "eventId": "e-1", "correlationId": "c-1"}', '2026-03-01 12:00:00.123457+05:30')`,
    );
    await sealAll(schema, 1);
    expect(await verifyEventChain(ctx.pool, schema)).toMatchObject({ ok: true, checked: 1 });

    await tamper(schema, `UPDATE events SET recorded_at = recorded_at + interval '1 microsecond'`);
    expect(await verifyEventChain(ctx.pool, schema)).toMatchObject({ ok: false });
  });
});

describe('tampering is found at the first bad position', () => {
  type Case = [
    name: string,
    sql: (p: bigint[]) => string,
    bad: (p: bigint[]) => bigint,
    reason: RegExp,
    checked: number,
  ];
  const cases: Case[] = [
    [
      'changed data',
      (p) => `UPDATE events SET data = '{"amount": 1000000}' WHERE position = ${p[4]}`,
      (p) => p[4]!,
      /hash mismatch/,
      4,
    ],
    [
      'changed metadata',
      (p) =>
        `UPDATE events SET metadata = metadata || '{"actor": "user:mallory"}' WHERE position = ${p[6]}`,
      (p) => p[6]!,
      /hash mismatch/,
      6,
    ],
    [
      'changed type',
      (p) => `UPDATE events SET event_type = 'AmountWaived' WHERE position = ${p[9]}`,
      (p) => p[9]!,
      /hash mismatch/,
      9,
    ],
    [
      'changed time',
      (p) =>
        `UPDATE events SET recorded_at = recorded_at - interval '1 day' WHERE position = ${p[2]}`,
      (p) => p[2]!,
      /hash mismatch/,
      2,
    ],
    [
      'deleted event',
      (p) => `DELETE FROM events WHERE position = ${p[5]}`,
      (p) => p[5]!,
      /sealed event at position \d+ .* is missing/,
      5,
    ],
    [
      'deleted last event',
      (p) => `DELETE FROM events WHERE position = ${p[11]}`,
      (p) => p[11]!,
      /is missing/,
      11,
    ],
    [
      'inserted event inside the sealed range',
      (
        p,
      ) => `INSERT INTO events (position, transaction_id, stream_id, stream_version, event_type, data, metadata)
              OVERRIDING SYSTEM VALUE
              SELECT 1000000000, transaction_id, 'forged', 1, 'AmountRecorded', '{"amount": 1}', metadata
                FROM events WHERE position = ${p[3]}`,
      () => 1_000_000_000n,
      /has no seal/,
      // Events 0-3 share transactions pairwise; the forged one sorts right after event 3's transaction.
      4,
    ],
    [
      'swapped data of two events (reordering)',
      (p) => `UPDATE events e SET data = o.data
                FROM events o
               WHERE (e.position, o.position) IN ((${p[3]}, ${p[8]}), (${p[8]}, ${p[3]}))`,
      (p) => p[3]!,
      /hash mismatch/,
      3,
    ],
    [
      'changed seal',
      () => `UPDATE event_seals SET hash = sha256('forged') WHERE seq = 8`,
      (p) => p[7]!,
      /hash mismatch at seal #8/,
      7,
    ],
    [
      'deleted seal',
      () => `DELETE FROM event_seals WHERE seq = 3`,
      (p) => p[2]!,
      /seal #3 is missing/,
      2,
    ],
  ];

  it.each(cases)('%s', async (_name, sql, bad, reason, checked) => {
    const { schema, positions } = await sealedStore();
    await tamper(schema, sql(positions));

    const result = await verifyEventChain(ctx.pool, schema);

    expectTampered(result, bad(positions), reason);
    expect(result.checked).toBe(checked);
  });
});

describe('limits (documented in the README)', () => {
  it('an event appended after the chain head is reported as not yet sealed, as a real append would be', async () => {
    const { schema } = await sealedStore();
    await tamper(
      schema,
      `INSERT INTO events (stream_id, stream_version, event_type, data, metadata)
       VALUES ('late', 1, 'AmountRecorded', '{}', '{"eventId": "x", "correlationId": "x", "actor": "user:x"}')`,
    );
    expect(await verifyEventChain(ctx.pool, schema)).toMatchObject({
      ok: true,
      checked: 12,
      unsealed: 1,
    });
  });
});

describe('npm run audit:verify', () => {
  function auditVerify(service: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        path.join(REPO_ROOT, 'node_modules/.bin/tsx'),
        ['tools/scripts/audit-verify.ts', '--service', service],
        { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: ctx.databaseUrl }, timeout: 20_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() });
        },
      );
    });
  }

  it('exits 0 on an intact chain, 1 once tampered, 2 for an unknown service', async () => {
    const { schema, positions } = await sealedStore();
    const store = createEventStore(ctx.pool, schema, { crossProcessSignal: false });
    await store.append(freshStreamId(), [newEvent('Late', {})]);
    await store.close();

    const [intact, unknown] = await Promise.all([
      auditVerify(schema),
      auditVerify(`${schema}_missing`),
    ]);
    expect(intact).toEqual({
      code: 0,
      stdout: `verified 12 events in ${schema}, chain intact (1 newer events not yet sealed)`,
      stderr: '',
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      `unknown service "${schema}_missing": no event store in schema ${schema}_missing`,
    );

    await tamper(
      schema,
      `UPDATE events SET data = '{"amount": -1}' WHERE position = ${positions[6]}`,
    );
    const tampered = await auditVerify(schema);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(
      new RegExp(`^TAMPERED: first bad position ${positions[6]}: hash mismatch`),
    );
  });
});
